package dev.relay.local.broker;

import io.cloudevents.CloudEvent;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * A Trigger's filter, with Knative Eventing's semantics: every filter answers {@link Verdict#PASS},
 * {@link Verdict#FAIL} or {@link Verdict#NO_FILTER}, and a Trigger receives every event that does not
 * {@link Verdict#FAIL}.
 *
 * <ul>
 *   <li>{@link Attributes}: the legacy {@code spec.filter.attributes}; each listed attribute must exist and equal the
 *       value; an empty value means "any non-empty value".</li>
 *   <li>{@link Exact}, {@link Prefix}, {@link Suffix}: the {@code spec.filters} dialects; the attribute must exist.</li>
 *   <li>{@link All}, {@link Any}, {@link Not}: combinators; {@link Verdict#NO_FILTER} is neutral and
 *       {@code not(NO_FILTER)} is {@code NO_FILTER}.</li>
 * </ul>
 */
public sealed interface TriggerFilter {

    enum Verdict {
        PASS, FAIL, NO_FILTER;

        Verdict and(Verdict other) {
            if (this == NO_FILTER) {
                return other;
            }
            if (other == NO_FILTER) {
                return this;
            }
            return this == PASS && other == PASS ? PASS : FAIL;
        }

        Verdict or(Verdict other) {
            if (this == NO_FILTER) {
                return other;
            }
            if (other == NO_FILTER) {
                return this;
            }
            return this == PASS || other == PASS ? PASS : FAIL;
        }
    }

    Verdict evaluate(CloudEvent event);

    /** Whether a Trigger with this filter receives the event (anything but {@link Verdict#FAIL}). */
    default boolean matches(CloudEvent event) {
        return evaluate(event) != Verdict.FAIL;
    }

    /** A Trigger without filters: receives every event. */
    record None() implements TriggerFilter {
        @Override
        public Verdict evaluate(CloudEvent event) {
            return Verdict.NO_FILTER;
        }
    }

    /** Legacy {@code spec.filter.attributes}. */
    record Attributes(Map<String, String> attributes) implements TriggerFilter {
        public Attributes {
            attributes = Map.copyOf(attributes);
        }

        @Override
        public Verdict evaluate(CloudEvent event) {
            if (attributes.isEmpty()) {
                return Verdict.NO_FILTER;
            }
            for (Map.Entry<String, String> wanted : attributes.entrySet()) {
                Optional<String> actual = lookup(event, wanted.getKey());
                if (actual.isEmpty()) {
                    return Verdict.FAIL;
                }
                if (wanted.getValue().isEmpty() ? actual.get().isEmpty() : !wanted.getValue().equals(actual.get())) {
                    return Verdict.FAIL;
                }
            }
            return Verdict.PASS;
        }
    }

    /** {@code exact: {attribute: value}}. */
    record Exact(Map<String, String> attributes) implements TriggerFilter {
        public Exact {
            attributes = requireNonEmpty("exact", attributes);
        }

        @Override
        public Verdict evaluate(CloudEvent event) {
            return matchEach(event, attributes, String::equals);
        }
    }

    /** {@code prefix: {attribute: prefix}}. */
    record Prefix(Map<String, String> attributes) implements TriggerFilter {
        public Prefix {
            attributes = requireNonEmpty("prefix", attributes);
        }

        @Override
        public Verdict evaluate(CloudEvent event) {
            return matchEach(event, attributes, String::startsWith);
        }
    }

    /** {@code suffix: {attribute: suffix}}. */
    record Suffix(Map<String, String> attributes) implements TriggerFilter {
        public Suffix {
            attributes = requireNonEmpty("suffix", attributes);
        }

        @Override
        public Verdict evaluate(CloudEvent event) {
            return matchEach(event, attributes, String::endsWith);
        }
    }

    /** {@code all: [...]}, and the top-level {@code spec.filters} list. */
    record All(List<TriggerFilter> filters) implements TriggerFilter {
        public All {
            filters = List.copyOf(filters);
        }

        @Override
        public Verdict evaluate(CloudEvent event) {
            Verdict verdict = Verdict.NO_FILTER;
            for (TriggerFilter filter : filters) {
                verdict = verdict.and(filter.evaluate(event));
                if (verdict == Verdict.FAIL) {
                    return Verdict.FAIL;
                }
            }
            return verdict;
        }
    }

    /** {@code any: [...]}. */
    record Any(List<TriggerFilter> filters) implements TriggerFilter {
        public Any {
            filters = List.copyOf(filters);
        }

        @Override
        public Verdict evaluate(CloudEvent event) {
            Verdict verdict = Verdict.NO_FILTER;
            for (TriggerFilter filter : filters) {
                verdict = verdict.or(filter.evaluate(event));
                if (verdict == Verdict.PASS) {
                    return Verdict.PASS;
                }
            }
            return verdict;
        }
    }

    /** {@code not: {...}}. */
    record Not(TriggerFilter filter) implements TriggerFilter {
        public Not {
            Objects.requireNonNull(filter, "filter");
        }

        @Override
        public Verdict evaluate(CloudEvent event) {
            return switch (filter.evaluate(event)) {
                case PASS -> Verdict.FAIL;
                case FAIL -> Verdict.PASS;
                case NO_FILTER -> Verdict.NO_FILTER;
            };
        }
    }

    /**
     * The value of a context attribute as Knative reads it: the standard attributes always exist (empty when
     * unset), an extension exists only when the event carries it.
     */
    static Optional<String> lookup(CloudEvent event, String attribute) {
        return switch (attribute) {
            case "specversion" -> Optional.of(event.getSpecVersion().toString());
            case "type" -> Optional.of(nullToEmpty(event.getType()));
            case "source" -> Optional.of(event.getSource() == null ? "" : event.getSource().toString());
            case "subject" -> Optional.of(nullToEmpty(event.getSubject()));
            case "id" -> Optional.of(nullToEmpty(event.getId()));
            case "time" -> Optional.of(event.getTime() == null ? ""
                    : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.getTime()));
            case "dataschema", "schemaurl" -> Optional.of(
                    event.getDataSchema() == null ? "" : event.getDataSchema().toString());
            case "datacontenttype" -> Optional.of(nullToEmpty(event.getDataContentType()));
            case "datamediatype" -> Optional.of(mediaType(event.getDataContentType()));
            case "datacontentencoding" -> Optional.of("");
            default -> Optional.ofNullable(event.getExtension(attribute)).map(Object::toString);
        };
    }

    private static Verdict matchEach(CloudEvent event, Map<String, String> attributes,
            BiPredicate<String, String> test) {
        for (Map.Entry<String, String> wanted : attributes.entrySet()) {
            Optional<String> actual = lookup(event, wanted.getKey());
            if (actual.isEmpty() || !test.test(actual.get(), wanted.getValue())) {
                return Verdict.FAIL;
            }
        }
        return Verdict.PASS;
    }

    private static Map<String, String> requireNonEmpty(String dialect, Map<String, String> attributes) {
        if (attributes == null || attributes.isEmpty()) {
            throw new IllegalArgumentException(dialect + " filter needs at least one attribute");
        }
        attributes.forEach((name, value) -> {
            if (name == null || name.isEmpty() || value == null || value.isEmpty()) {
                throw new IllegalArgumentException(
                        dialect + " filter: attribute and value can't be empty (" + name + ": " + value + ")");
            }
        });
        return Map.copyOf(attributes);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    }
}
