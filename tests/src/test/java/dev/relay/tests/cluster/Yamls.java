package dev.relay.tests.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Navigation in parsed YAML (maps and lists) without casts at every step. */
final class Yamls {

    private Yamls() {
    }

    static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> result = new LinkedHashMap<>();
        map.forEach((k, v) -> result.put(String.valueOf(k), v));
        return result;
    }

    static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> m ? stringKeys(m) : Map.of();
    }

    static List<Map<String, Object>> maps(Object node) {
        return node instanceof List<?> list ? list.stream().map(Yamls::map).toList() : List.of();
    }

    static List<String> strings(Object node) {
        return node instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
    }

    /** The value at a path of keys, or null. */
    static Object at(Map<String, Object> root, String... keys) {
        Object node = root;
        for (String key : keys) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(key);
        }
        return node;
    }

    static String string(Map<String, Object> root, String... keys) {
        Object value = at(root, keys);
        return value == null ? null : String.valueOf(value);
    }
}
