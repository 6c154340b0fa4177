package plight.bench;

import java.util.Locale;

/** A tiny SVG document builder: just the elements the plots use, text escaped. */
final class Svg {
    private final StringBuilder sb = new StringBuilder();

    Svg(int width, int height) {
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    }

    Svg line(double x1, double y1, double x2, double y2, String stroke, double width, String dash) {
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                + " stroke-width=\"%.1f\"%s/>\n", x1, y1, x2, y2, stroke, width,
                dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
        return this;
    }

    Svg rect(double x, double y, double w, double h, String fill) {
        sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                x, y, w, h, fill));
        return this;
    }

    /** @param anchor start, middle or end */
    Svg text(double x, double y, String text, String anchor, String extra) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor,
                extra == null ? "" : " " + extra)).append(escape(text)).append("</text>\n");
        return this;
    }

    /** A polyline as a path; {@code cls} and {@code name} identify the curve (class, data-name). */
    Svg curve(double[] xs, double[] ys, String stroke, String cls, String name) {
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < xs.length; i++) {
            d.append(i == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", xs[i], ys[i]));
        }
        sb.append("<path class=\"").append(cls).append("\" data-name=\"").append(escape(name))
                .append("\" fill=\"none\" stroke=\"").append(stroke).append("\" stroke-width=\"2\" d=\"")
                .append(d.length() == 0 ? "M0 0" : d).append("\"/>\n");
        return this;
    }

    @Override
    public String toString() {
        return sb + "</svg>\n";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
