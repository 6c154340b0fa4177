package plight.metrics;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Whether a scraper's {@code Accept-Encoding} (RFC 9110 12.5.3) takes gzip: codings in any case, q-values honoured. */
final class AcceptEncoding {
    /** A qvalue: 0 to 1 with at most three decimals. */
    private static final Pattern QVALUE = Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");

    private AcceptEncoding() {
    }

    /**
     * @param headers every {@code Accept-Encoding} field of the request
     * @return true when gzip (or {@code x-gzip}, or {@code *} without a gzip entry) has a q-value above 0
     */
    static boolean gzip(List<String> headers) {
        double gzip = -1;
        double any = -1;
        for (String header : headers) {
            for (String element : header.split(",")) {
                String[] parts = element.split(";");
                String coding = parts[0].strip().toLowerCase(Locale.ROOT);
                double q = 1;
                for (int i = 1; i < parts.length; i++) {
                    String param = parts[i].strip();
                    int eq = param.indexOf('=');
                    if (eq > 0 && param.substring(0, eq).strip().equalsIgnoreCase("q")) {
                        String value = param.substring(eq + 1).strip();
                        // A q-value we cannot read does not make gzip acceptable: identity always is.
                        q = QVALUE.matcher(value).matches() ? Double.parseDouble(value) : 0;
                    }
                }
                if (coding.equals("gzip") || coding.equals("x-gzip")) {
                    gzip = Math.max(gzip, q);
                } else if (coding.equals("*")) {
                    any = Math.max(any, q);
                }
            }
        }
        return gzip >= 0 ? gzip > 0 : any > 0;
    }
}
