package dev.relay.local.broker;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Reads Knative {@code Trigger} documents ({@code apiVersion: eventing.knative.dev/v1}) from YAML files; a file may
 * hold several documents, documents of other kinds are skipped. A Trigger that cannot be understood fails the load
 * with a message naming the file, the Trigger and the field.
 */
public final class TriggerLoader {

    public static final String DEFAULT_LOCATION = "classpath*:relay/triggers/*.yaml";

    private static final Logger log = LoggerFactory.getLogger(TriggerLoader.class);
    private static final String API_VERSION = "eventing.knative.dev/v1";

    /** Every {@code *.yaml} / {@code *.yml} file of a directory, in name order. */
    public List<TriggerDefinition> loadDirectory(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalStateException("relay.local.broker.triggers-dir is not a directory: " + directory);
        }
        List<TriggerDefinition> triggers = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(TriggerLoader::isYaml).sorted(Comparator.comparing(Path::toString)).toList()) {
                triggers.addAll(parse(Files.readString(file, StandardCharsets.UTF_8), file.toString()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read triggers from " + directory + ": " + e.getMessage(), e);
        }
        return checkUniqueNames(triggers);
    }

    /** Every file matching a Spring resource pattern, e.g. {@link #DEFAULT_LOCATION}. */
    public List<TriggerDefinition> loadResources(String locationPattern) {
        List<TriggerDefinition> triggers = new ArrayList<>();
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver().getResources(locationPattern);
            List<Resource> sorted = new ArrayList<>(List.of(resources));
            sorted.sort(Comparator.comparing(r -> String.valueOf(r.getFilename())));
            for (Resource resource : sorted) {
                try (InputStream in = resource.getInputStream()) {
                    triggers.addAll(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                            resource.getDescription()));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read triggers from " + locationPattern + ": " + e.getMessage(), e);
        }
        return checkUniqueNames(triggers);
    }

    /** The Triggers of one YAML text (possibly several documents). */
    public List<TriggerDefinition> parse(String yaml, String origin) {
        Load load = new Load(LoadSettings.builder().setLabel(origin).build());
        List<TriggerDefinition> triggers = new ArrayList<>();
        for (Object document : load.loadAllFromString(yaml)) {
            if (!(document instanceof Map<?, ?> map)) {
                continue;
            }
            if (!"Trigger".equals(map.get("kind")) || !API_VERSION.equals(map.get("apiVersion"))) {
                log.debug("skipping {} {} in {}", map.get("apiVersion"), map.get("kind"), origin);
                continue;
            }
            String name = string(map(map.get("metadata"), "metadata", origin), "name", "metadata.name", origin);
            if (name == null || name.isBlank()) {
                throw new IllegalStateException("a Trigger in " + origin + " has no metadata.name");
            }
            try {
                triggers.add(toTrigger(name, map, origin));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Trigger " + name + " in " + origin + ": " + e.getMessage(), e);
            }
        }
        return triggers;
    }

    private TriggerDefinition toTrigger(String name, Map<?, ?> document, String origin) {
        Map<?, ?> spec = map(document.get("spec"), "spec", origin);
        if (spec == null) {
            throw new IllegalArgumentException("spec is missing");
        }
        String broker = string(spec, "broker", "spec.broker", origin);
        TriggerFilter filter = filterOf(name, spec);
        Object subscriber = spec.get("subscriber");
        if (subscriber == null) {
            throw new IllegalArgumentException("spec.subscriber is missing");
        }
        Destination destination = destination(subscriber, "spec.subscriber");
        DeliveryPolicy delivery = delivery(name, spec.get("delivery"));
        return new TriggerDefinition(name, broker, filter, destination, delivery, origin);
    }

    private TriggerFilter filterOf(String name, Map<?, ?> spec) {
        Object filters = spec.get("filters");
        Object legacy = spec.get("filter");
        if (filters instanceof List<?> list && !list.isEmpty()) {
            if (legacy != null) {
                log.warn("Trigger {}: both spec.filter and spec.filters are set; spec.filters is used, as in Knative",
                        name);
            }
            return new TriggerFilter.All(filterList(name, list, "spec.filters"));
        }
        if (legacy != null) {
            Map<?, ?> filter = asMap(legacy, "spec.filter");
            Object attributes = filter.get("attributes");
            return attributes == null ? new TriggerFilter.None()
                    : new TriggerFilter.Attributes(stringMap(attributes, "spec.filter.attributes", true));
        }
        return new TriggerFilter.None();
    }

    private List<TriggerFilter> filterList(String name, List<?> list, String field) {
        List<TriggerFilter> filters = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            filters.add(subscriptionsApiFilter(name, list.get(i), field + "[" + i + "]"));
        }
        return filters;
    }

    private TriggerFilter subscriptionsApiFilter(String name, Object node, String field) {
        Map<?, ?> map = asMap(node, field);
        if (map.size() != 1) {
            throw new IllegalArgumentException(field + " must have exactly one of exact, prefix, suffix, all, any, "
                    + "not, cesql; found " + map.keySet());
        }
        Map.Entry<?, ?> entry = map.entrySet().iterator().next();
        String dialect = String.valueOf(entry.getKey());
        String at = field + "." + dialect;
        return switch (dialect) {
            case "exact" -> new TriggerFilter.Exact(singleAttribute(stringMap(entry.getValue(), at, false), at));
            case "prefix" -> new TriggerFilter.Prefix(singleAttribute(stringMap(entry.getValue(), at, false), at));
            case "suffix" -> new TriggerFilter.Suffix(singleAttribute(stringMap(entry.getValue(), at, false), at));
            case "all" -> new TriggerFilter.All(filterList(name, asList(entry.getValue(), at), at));
            case "any" -> new TriggerFilter.Any(filterList(name, asList(entry.getValue(), at), at));
            case "not" -> new TriggerFilter.Not(subscriptionsApiFilter(name, entry.getValue(), at));
            case "cesql" -> throw new IllegalArgumentException(at + " (CloudEvents SQL) is not supported by the "
                    + "embedded broker; express the filter with exact/prefix/suffix/all/any/not");
            default -> throw new IllegalArgumentException(field + ": unknown filter dialect '" + dialect + "'");
        };
    }

    private static Map<String, String> singleAttribute(Map<String, String> attributes, String field) {
        if (attributes.size() != 1) {
            throw new IllegalArgumentException(field + " must have exactly one attribute (as Knative's webhook "
                    + "requires), found " + attributes.keySet());
        }
        return attributes;
    }

    private DeliveryPolicy delivery(String name, Object node) {
        if (node == null) {
            return DeliveryPolicy.NONE;
        }
        Map<?, ?> map = asMap(node, "spec.delivery");
        int retry = 0;
        Object retryValue = map.get("retry");
        if (retryValue != null) {
            if (!(retryValue instanceof Number number)) {
                throw new IllegalArgumentException("spec.delivery.retry must be an integer, was '" + retryValue + "'");
            }
            retry = number.intValue();
        }
        Object policyValue = map.get("backoffPolicy");
        DeliveryPolicy.BackoffPolicy policy = policyValue == null ? null
                : DeliveryPolicy.BackoffPolicy.parse(String.valueOf(policyValue));
        Object delayValue = map.get("backoffDelay");
        Duration delay = null;
        if (delayValue != null) {
            try {
                delay = Duration.parse(String.valueOf(delayValue));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("spec.delivery.backoffDelay must be an ISO-8601 duration such as "
                        + "PT0.2S, was '" + delayValue + "'");
            }
        }
        if ((policy == null) != (delay == null) && retry > 0) {
            log.warn("Trigger {}: spec.delivery sets only one of backoffPolicy and backoffDelay; as in Knative, "
                    + "retries happen without delay", name);
        }
        Object sink = map.get("deadLetterSink");
        Destination deadLetterSink = sink == null ? null : destination(sink, "spec.delivery.deadLetterSink");
        return new DeliveryPolicy(retry, policy, delay, deadLetterSink);
    }

    private static Destination destination(Object node, String field) {
        Map<?, ?> map = asMap(node, field);
        Object ref = map.get("ref");
        Object uri = map.get("uri");
        if (ref != null) {
            Map<?, ?> refMap = asMap(ref, field + ".ref");
            Object kind = refMap.get("kind");
            Object refName = refMap.get("name");
            if (kind == null || refName == null) {
                throw new IllegalArgumentException(field + ".ref needs kind and name");
            }
            Object apiVersion = refMap.get("apiVersion");
            return new Destination.Ref(apiVersion == null ? null : String.valueOf(apiVersion), String.valueOf(kind),
                    String.valueOf(refName), uri == null ? null : parseUri(uri, field + ".uri", false));
        }
        if (uri != null) {
            return new Destination.Uri(parseUri(uri, field + ".uri", true));
        }
        throw new IllegalArgumentException(field + " needs ref or uri");
    }

    private static URI parseUri(Object value, String field, boolean absolute) {
        try {
            URI uri = URI.create(String.valueOf(value));
            if (absolute && (!uri.isAbsolute() || uri.getHost() == null)) {
                throw new IllegalArgumentException(field + " must be an absolute http(s) URI, was '" + value + "'");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(field)) {
                throw e;
            }
            throw new IllegalArgumentException(field + " is not a URI: '" + value + "'");
        }
    }

    private static Map<String, String> stringMap(Object node, String field, boolean allowEmptyValues) {
        Map<?, ?> map = asMap(node, field);
        Map<String, String> result = new LinkedHashMap<>();
        map.forEach((key, value) -> {
            String text = value == null ? "" : String.valueOf(value);
            if (!allowEmptyValues && text.isEmpty()) {
                throw new IllegalArgumentException(field + "." + key + " must not be empty");
            }
            result.put(String.valueOf(key), text);
        });
        return result;
    }

    private static Map<?, ?> asMap(Object node, String field) {
        if (node instanceof Map<?, ?> map) {
            return map;
        }
        throw new IllegalArgumentException(field + " must be a mapping, was " + describe(node));
    }

    private static List<?> asList(Object node, String field) {
        if (node instanceof List<?> list) {
            return list;
        }
        throw new IllegalArgumentException(field + " must be a list, was " + describe(node));
    }

    private static Map<?, ?> map(Object node, String field, String origin) {
        if (node == null) {
            return null;
        }
        if (node instanceof Map<?, ?> map) {
            return map;
        }
        throw new IllegalStateException(field + " in " + origin + " must be a mapping, was " + describe(node));
    }

    private static String string(Map<?, ?> map, String key, String field, String origin) {
        if (map == null) {
            return null;
        }
        Object value = map.get(key);
        return value == null ? null : String.valueOf(value);
    }

    private static String describe(Object node) {
        return node == null ? "empty" : node.getClass().getSimpleName() + " '" + node + "'";
    }

    private static boolean isYaml(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    private static List<TriggerDefinition> checkUniqueNames(List<TriggerDefinition> triggers) {
        Set<String> seen = new HashSet<>();
        for (TriggerDefinition trigger : triggers) {
            if (!seen.add(trigger.name())) {
                throw new IllegalStateException("Trigger " + trigger.name() + " is defined twice (again in "
                        + trigger.origin() + ")");
            }
        }
        return List.copyOf(triggers);
    }
}
