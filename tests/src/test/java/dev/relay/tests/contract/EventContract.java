package dev.relay.tests.contract;

import dev.relay.shared.events.RelayEventTypes;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares three views of Relay's event types: the constants of {@link RelayEventTypes}, the types
 * {@code docs/EVENTS.md} documents (the first cell of a table row, one backticked type), and the types the Triggers in
 * {@code triggers/} filter on. An empty list of violations means the three agree.
 */
final class EventContract {

    /** The external producers' namespace: types Relay consumes but does not define. */
    static final String EXTERNAL_PREFIX = "dev.knative.";

    /** A CloudEvent type in reverse-DNS form; a {@code RelayEventTypes} constant that is not one (a source) is skipped. */
    private static final Pattern EVENT_TYPE = Pattern.compile("[a-z][a-z0-9-]*(?:\\.[a-z0-9-]+)+");

    private static final Pattern TYPE_ROW = Pattern.compile("^\\|\\s*`(dev\\.[a-z0-9]+(?:\\.[a-z0-9-]+)+)`\\s*\\|");

    private EventContract() {
    }

    /** A Trigger's filter on {@code type}: an exact value, or a prefix ({@code filters: - prefix: {type: …}}). */
    record TypeFilter(String trigger, String value, boolean prefix) {

        boolean matches(String type) {
            return prefix ? type.startsWith(value) : type.equals(value);
        }

        @Override
        public String toString() {
            return "Trigger " + trigger + " (" + (prefix ? "prefix " : "type ") + value + ")";
        }
    }

    static boolean isEventType(String value) {
        return EVENT_TYPE.matcher(value).matches();
    }

    /** The event types among the {@code public static String} constants of {@link RelayEventTypes}. */
    static Set<String> codeTypes() {
        Set<String> types = new TreeSet<>();
        for (Field field : RelayEventTypes.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && field.getType() == String.class) {
                try {
                    String value = (String) field.get(null);
                    if (isEventType(value)) {
                        types.add(value);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return types;
    }

    /** Every type that starts a table row of the document. */
    static Set<String> documentedTypes(String markdown) {
        Set<String> types = new TreeSet<>();
        for (String line : markdown.split("\n")) {
            Matcher row = TYPE_ROW.matcher(line.strip());
            if (row.find()) {
                types.add(row.group(1));
            }
        }
        return types;
    }

    /** The {@code type} filters of one parsed Trigger: {@code filter.attributes.type} and {@code filters}. */
    @SuppressWarnings("unchecked")
    static List<TypeFilter> typeFilters(Map<String, Object> trigger) {
        String name = String.valueOf(((Map<String, Object>) trigger.get("metadata")).get("name"));
        Map<String, Object> spec = (Map<String, Object>) trigger.get("spec");
        List<TypeFilter> out = new ArrayList<>();
        if (spec.get("filter") instanceof Map<?, ?> filter && filter.get("attributes") instanceof Map<?, ?> attributes
                && attributes.get("type") != null) {
            out.add(new TypeFilter(name, attributes.get("type").toString(), false));
        }
        if (spec.get("filters") instanceof List<?> filters) {
            collect(name, filters, out);
        }
        return out;
    }

    private static void collect(String trigger, List<?> expressions, List<TypeFilter> out) {
        for (Object expression : expressions) {
            if (!(expression instanceof Map<?, ?> map)) {
                continue;
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String dialect = entry.getKey().toString();
                if ((dialect.equals("exact") || dialect.equals("prefix")) && entry.getValue() instanceof Map<?, ?> m
                        && m.get("type") != null) {
                    out.add(new TypeFilter(trigger, m.get("type").toString(), dialect.equals("prefix")));
                } else if ((dialect.equals("all") || dialect.equals("any")) && entry.getValue() instanceof List<?> l) {
                    collect(trigger, l, out);
                } else if (dialect.equals("not") && entry.getValue() instanceof Map<?, ?> negated) {
                    collect(trigger, List.of(negated), out);
                }
            }
        }
    }

    /** What disagrees between the code, the document and the Triggers; empty when they agree. */
    static List<String> violations(Set<String> code, Set<String> documented, List<TypeFilter> filters) {
        List<String> out = new ArrayList<>();
        for (String type : code) {
            if (!documented.contains(type)) {
                out.add(type + " (RelayEventTypes) is not documented in docs/EVENTS.md");
            }
        }
        for (String type : documented) {
            if (type.startsWith(EXTERNAL_PREFIX)) {
                if (filters.stream().noneMatch(filter -> filter.matches(type))) {
                    out.add(type + " is documented as an external type, but no Trigger takes it");
                }
            } else if (!code.contains(type)) {
                out.add(type + " is documented in docs/EVENTS.md, but is no RelayEventTypes constant");
            }
        }
        for (TypeFilter filter : filters) {
            if (filter.prefix()) {
                if (!filter.value().startsWith(EXTERNAL_PREFIX) && !filter.value().startsWith("dev.relay.")) {
                    out.add(filter + " filters on a prefix outside dev.relay. and " + EXTERNAL_PREFIX);
                }
                if (documented.stream().noneMatch(filter::matches)) {
                    out.add(filter + " takes types of which docs/EVENTS.md documents none");
                }
            } else {
                if (!code.contains(filter.value()) && !filter.value().startsWith(EXTERNAL_PREFIX)) {
                    out.add(filter + " is neither a RelayEventTypes constant nor an external " + EXTERNAL_PREFIX
                            + "* type");
                }
                if (!documented.contains(filter.value())) {
                    out.add(filter + " is not documented in docs/EVENTS.md");
                }
            }
        }
        return out;
    }
}
