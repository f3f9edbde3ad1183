package dev.relay.build;

import java.util.regex.Pattern;

/** Branch and tag globs: {@code *} and {@code ?} stay within one path segment, {@code **} crosses '/'. */
public final class RefGlob {

    private RefGlob() {
    }

    public static boolean matches(String glob, String name) {
        return toRegex(glob).matcher(name).matches();
    }

    static Pattern toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
