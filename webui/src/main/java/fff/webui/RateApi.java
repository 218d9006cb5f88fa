package fff.webui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fff.common.rate.RateControl;
import fff.common.rate.RateSchedule;
import fff.common.rate.RateStatus;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rate-limit endpoints: {@code GET /api/rates}; {@code PUT} and {@code DELETE} on {@code /api/rates/node}
 * and {@code /api/rates/destinations/{name}}. A PUT's body is {@code {"rate": "200M"}} or
 * {@code {"rate": ["08:00-18:00 Mon-Fri 200M", "otherwise unlimited"]}}, read as the config key {@code rate}
 * is; a DELETE goes back to the config's schedule. Both answer the limit as it is then. Worker threads only.
 */
final class RateApi {

    private final RateControl rates;
    private final ObjectMapper json;

    RateApi(RateControl rates, ObjectMapper json) {
        this.rates = rates;
        this.json = json;
    }

    RateControl.Rates rates(HttpServerExchange ex) {
        return rates.rates();
    }

    RateStatus setNode(HttpServerExchange ex) throws IOException {
        return set(null, ex);
    }

    RateStatus setDestination(HttpServerExchange ex) throws IOException {
        return set(JobApi.pathParam(ex, "name"), ex);
    }

    RateStatus resetNode(HttpServerExchange ex) {
        return JobApi.await(rates.reset(null));
    }

    RateStatus resetDestination(HttpServerExchange ex) {
        return JobApi.await(rates.reset(JobApi.pathParam(ex, "name")));
    }

    private RateStatus set(String destination, HttpServerExchange ex) throws IOException {
        JsonNode rate = JobApi.body(ex, json).path("rate");
        List<String> lines = new ArrayList<>();
        if (rate.isArray()) {
            for (int i = 0; i < rate.size(); i++) {
                if (!rate.get(i).isValueNode() || rate.get(i).isNull()) {
                    throw new ApiException(400, "rate[" + i + "]: a line of text is needed");
                }
                lines.add(rate.get(i).asText());
            }
        } else if (rate.isValueNode() && !rate.isNull()) {
            lines.add(rate.asText());
        } else {
            throw new ApiException(400, "rate: a rate (\"200M\", \"unlimited\") or a list of schedule lines "
                    + "(\"08:00-18:00 Mon-Fri 200M\", \"otherwise unlimited\") is needed");
        }
        RateSchedule schedule = RateSchedule.parse("rate", lines, rate.isArray());
        return JobApi.await(rates.set(destination, schedule));
    }
}
