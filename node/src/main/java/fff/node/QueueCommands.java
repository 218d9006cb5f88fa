package fff.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that look at and steer a running node's queue through its API. */
final class QueueCommands {

    private QueueCommands() {
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "A running node's ID, version, uptime and group tree (tokens in use / limit, queued).")
    static final class Status implements Callable<Integer> {
        @Mixin
        ApiClient.Options api;

        @Override
        public Integer call() throws Exception {
            ApiClient c = new ApiClient(api);
            JsonNode node = c.get("/api/node");
            System.out.printf("node %s, fff %s, up %d s%n", node.path("id").asText(), node.path("version").asText(),
                    node.path("uptimeSeconds").asLong());
            JsonNode groups = c.get("/api/groups");
            System.out.printf("queue %d, running %d%n", groups.path("queueLength").asLong(),
                    groups.path("running").asLong());
            for (JsonNode g : groups.path("groups")) {
                printGroup(g, 0);
            }
            return 0;
        }

        private static void printGroup(JsonNode g, int depth) {
            System.out.printf("%s%s %d/%d running, %d queued%n", "  ".repeat(depth), g.path("name").asText(),
                    g.path("inUse").asInt(), g.path("limit").asInt(), g.path("queued").asInt());
            for (JsonNode c : g.path("children")) {
                printGroup(c, depth + 1);
            }
        }
    }

    @Command(name = "jobs", mixinStandardHelpOptions = true,
            description = "List a running node's jobs: running first, then queued in queue order, then history.")
    static final class Jobs implements Callable<Integer> {
        @Mixin
        ApiClient.Options api;

        @Option(names = "--state", paramLabel = "STATE", description = "QUEUED, RUNNING, DONE, FAILED, CANCELLED "
                + "(comma-separated)")
        String state;

        @Option(names = "--group", paramLabel = "GROUP", description = "Only this group")
        String group;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N (1-1000)")
        int limit;

        @Override
        public Integer call() throws Exception {
            StringBuilder q = new StringBuilder("/api/jobs?limit=").append(limit);
            if (state != null) {
                q.append("&state=").append(java.net.URLEncoder.encode(state, java.nio.charset.StandardCharsets.UTF_8));
            }
            if (group != null) {
                q.append("&group=").append(java.net.URLEncoder.encode(group, java.nio.charset.StandardCharsets.UTF_8));
            }
            JsonNode page = new ApiClient(api).get(q.toString());
            for (JsonNode j : page.path("jobs")) {
                long size = j.path("size").asLong();
                String progress = size > 0 ? (100 * j.path("bytesDone").asLong() / size) + "%" : "-";
                String error = j.path("lastError").asText("");
                // a conversion returned here (watch rule via:) shows where the result lands
                String to = j.path("returnTo").isTextual() ? j.path("destination").asText() + " ("
                        + j.path("profile").asText() + ") -> " + j.path("returnTo").asText()
                        : j.path("destination").asText() + ":" + j.path("remotePath").asText();
                System.out.printf("%6d %-9s %-10s %4s %s -> %s%s%s%n", j.path("id").asLong(),
                        j.path("state").asText() + (j.path("blocked").asBoolean() ? "*" : ""),
                        j.path("group").asText(), progress, j.path("relative").asText(), to,
                        j.path("note").isNull() || j.path("note").asText().isEmpty() ? "" : " (" + j.path("note").asText() + ")",
                        error.isEmpty() || j.path("state").asText().equals("DONE") ? "" : " [" + error + "]");
            }
            System.out.printf("%d of %d job(s)%s%n", page.path("jobs").size(), page.path("total").asLong(),
                    " (* = waiting: peer offline or retry not yet due)");
            return 0;
        }
    }

    /** A command that changes one job and prints its new state. */
    abstract static class JobAction implements Callable<Integer> {
        @Mixin
        ApiClient.Options api;

        @Parameters(paramLabel = "ID")
        long id;

        /** The API verb: {@code /api/jobs/ID/VERB}. */
        abstract String verb();

        @Override
        public Integer call() throws Exception {
            JsonNode j = new ApiClient(api).change("POST", "/api/jobs/" + id + "/" + verb(), Map.of());
            System.out.println("job " + id + " " + j.path("state").asText());
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel a queued or running job (a running transfer stops; the receiver drops its partial).")
    static final class Cancel extends JobAction {
        @Override
        String verb() {
            return "cancel";
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true, description = "Queue a FAILED or CANCELLED job again.")
    static final class Retry extends JobAction {
        @Override
        String verb() {
            return "retry";
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true, description = "Move a queued job in the queue.")
    static final class Move implements Callable<Integer> {
        @Mixin
        ApiClient.Options api;

        @Parameters(paramLabel = "ID")
        long id;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Where where;

        static final class Where {
            @Option(names = "--top", description = "To the front of the queue")
            boolean top;
            @Option(names = "--bottom", description = "To the end of the queue")
            boolean bottom;
            @Option(names = "--before", paramLabel = "OTHER", description = "Just before job OTHER")
            Long before;
            @Option(names = "--after", paramLabel = "OTHER", description = "Just after job OTHER")
            Long after;
        }

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = where.top ? Map.of("where", "top") : where.bottom ? Map.of("where", "bottom")
                    : where.before != null ? Map.of("where", "before", "other", where.before)
                    : Map.of("where", "after", "other", where.after);
            new ApiClient(api).change("POST", "/api/jobs/" + id + "/move", body);
            System.out.println("job " + id + " moved " + body.get("where")
                    + (body.containsKey("other") ? " job " + body.get("other") : ""));
            return 0;
        }
    }

    @Command(name = "limit", mixinStandardHelpOptions = true,
            description = "Change a group's limit at run time (lowering it never stops running jobs).")
    static final class Limit implements Callable<Integer> {
        @Mixin
        ApiClient.Options api;

        @Parameters(index = "0", paramLabel = "GROUP")
        String group;

        @Parameters(index = "1", paramLabel = "N")
        int limit;

        @Override
        public Integer call() throws Exception {
            JsonNode g = new ApiClient(api).change("PUT", "/api/groups/" + group + "/limit", Map.of("limit", limit));
            System.out.printf("group %s limit %d (%d running, %d queued)%n", g.path("name").asText(),
                    g.path("limit").asInt(), g.path("inUse").asInt(), g.path("queued").asInt());
            return 0;
        }
    }
}
