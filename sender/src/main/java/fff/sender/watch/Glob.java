package fff.sender.watch;

import java.util.regex.Pattern;

/**
 * A glob over '/'-separated relative paths, compiled to a regular expression. Java's own glob matcher is not
 * used because its {@code **}{@code /*} does not match top-level files and its separator depends on the
 * platform.
 *
 * <ul>
 *   <li>{@code *} any run of characters within one name, {@code ?} one character within a name;
 *   <li>{@code **} any run of characters across names; at the start of the glob or after a '/', a
 *       {@code **}{@code /} may also match nothing;
 *   <li>{@code [abc]}, {@code [a-z]}, {@code [!abc]} one character (never '/') from or outside a set;
 *   <li>{@code {a,b}} either alternative (not nested); {@code \} takes the next character literally.
 * </ul>
 */
record Glob(String text, Pattern regex) {

    /** Compiles {@code glob}; an error names {@code key}, the config key the glob came from. */
    static Glob compile(String key, String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new IllegalArgumentException(key + ": empty glob");
        }
        if (glob.startsWith("/")) {
            throw new IllegalArgumentException(key + ": '" + glob + "' must be relative to the watched folder");
        }
        StringBuilder re = new StringBuilder();
        boolean inBraces = false;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        boolean nameStart = i == 0 || glob.charAt(i - 1) == '/';
                        if (nameStart && i + 2 < glob.length() && glob.charAt(i + 2) == '/') {
                            re.append("(?:.*/)?");
                            i += 3;
                        } else {
                            re.append(".*");
                            i += 2;
                        }
                        continue;
                    }
                    re.append("[^/]*");
                }
                case '?' -> re.append("[^/]");
                case '\\' -> {
                    if (++i == glob.length()) {
                        throw new IllegalArgumentException(key + ": '" + glob + "' ends with '\\'");
                    }
                    re.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                }
                case '[' -> i = charClass(key, glob, i, re);
                case '{' -> {
                    if (inBraces) {
                        throw new IllegalArgumentException(key + ": '" + glob + "' nests '{'");
                    }
                    inBraces = true;
                    re.append("(?:");
                }
                case '}' -> {
                    if (!inBraces) {
                        throw new IllegalArgumentException(key + ": '" + glob + "' has '}' without '{'");
                    }
                    inBraces = false;
                    re.append(')');
                }
                case ',' -> re.append(inBraces ? "|" : ",");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        if (inBraces) {
            throw new IllegalArgumentException(key + ": '" + glob + "' has '{' without '}'");
        }
        return new Glob(glob, Pattern.compile(re.toString()));
    }

    boolean matches(String relative) {
        return regex.matcher(relative).matches();
    }

    /** Appends the class starting at {@code glob[open]}; returns the index of its closing ']'. */
    private static int charClass(String key, String glob, int open, StringBuilder re) {
        int i = open + 1;
        boolean negate = i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^');
        if (negate) {
            i++;
        }
        StringBuilder set = new StringBuilder();
        int first = i;
        for (; i < glob.length() && (glob.charAt(i) != ']' || i == first); i++) {
            char c = glob.charAt(i);
            if (c == '/') {
                throw new IllegalArgumentException(key + ": '" + glob + "' has '/' inside [...]");
            }
            boolean range = c == '-' && i != first && i + 1 < glob.length() && glob.charAt(i + 1) != ']';
            set.append(range || Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c);
        }
        if (i == glob.length()) {
            throw new IllegalArgumentException(key + ": '" + glob + "' has '[' without ']'");
        }
        re.append(negate ? "[^/" : "[").append(set).append(']');
        return i;
    }
}
