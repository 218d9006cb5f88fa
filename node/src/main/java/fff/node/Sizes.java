package fff.node;

/** Human-readable sizes and rates (decimal units, as network people count). */
final class Sizes {

    private Sizes() {}

    static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int i = -1;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[i]);
    }

    static String rate(long bytes, double seconds) {
        return seconds <= 0 ? "-" : human((long) (bytes / seconds)) + "/s";
    }
}
