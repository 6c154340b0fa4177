package plight.cli;

import java.util.Map;

/** The top-level {@code --help}: one line per command, the state verbs of this configuration among them. */
final class Help {
    private Help() {
    }

    static String overview(Map<String, String> descriptions) {
        int width = 0;
        for (String name : descriptions.keySet()) {
            width = Math.max(width, name.length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: plight [-c FILE] <command> [options]\n\n");
        sb.append("Options:\n");
        sb.append("  -c, --config FILE   configuration file (default: $PLIGHT_CONF, else /etc/plight/plight.conf,\n");
        sb.append("                      else built-in defaults)\n");
        sb.append("  -h, --help          this help; 'plight <command> --help' for a command's options\n\n");
        sb.append("Commands:\n");
        for (Map.Entry<String, String> e : descriptions.entrySet()) {
            sb.append("  ").append(e.getKey()).append(" ".repeat(width - e.getKey().length() + 2)).append(e.getValue()).append('\n');
        }
        return sb.toString();
    }
}
