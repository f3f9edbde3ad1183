package dev.relay.rollback;

import dev.relay.shared.config.RelayProperties;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** When the SLO holds: {@code <measured> <operator> <threshold>}, e.g. {@code >= 0.99}. */
record SloCondition(String operator, double threshold) {

    private static final Pattern FORM = Pattern.compile(RelayProperties.Slo.SLO_CONDITION);

    static SloCondition parse(String text) {
        Matcher matcher = FORM.matcher(text == null ? "" : text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not an SLO condition (operator and number): " + text);
        }
        String operator = matcher.group(1);
        String number = text.strip().substring(operator.length()).strip();
        return new SloCondition(operator, Double.parseDouble(number));
    }

    /** Whether the SLO holds for {@code value} (NaN never holds). */
    boolean holds(double value) {
        return switch (operator) {
            case ">=" -> value >= threshold;
            case ">" -> value > threshold;
            case "<=" -> value <= threshold;
            case "<" -> value < threshold;
            case "==" -> value == threshold;
            case "!=" -> value != threshold;
            default -> throw new IllegalStateException(operator);
        };
    }

    @Override
    public String toString() {
        return operator + " " + format(threshold);
    }

    /** Six significant digits, no exponent for ordinary ratios: 0.998, 0.8, 12.5. */
    static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
