package dev.relay.tests.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.shared.events.RelayEventTypes;
import dev.relay.tests.contract.EventContract.TypeFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docs/EVENTS.md} documents every {@link RelayEventTypes} constant and every type a Trigger in {@code triggers/}
 * takes, and nothing the code does not have; the negative controls show the check fails on a mutated copy.
 */
class EventContractTest {

    static Path root;
    static String document;
    static List<TypeFilter> filters;

    @BeforeAll
    static void load() throws IOException {
        root = projectRoot();
        document = Files.readString(root.resolve("docs/EVENTS.md"), StandardCharsets.UTF_8);
        filters = triggerFilters(root.resolve("triggers"));
    }

    @Test
    void theDocumentTheCodeAndTheTriggersAgree() {
        Set<String> documented = EventContract.documentedTypes(document);

        assertThat(EventContract.violations(EventContract.codeTypes(), documented, filters)).isEmpty();
        assertThat(documented).as("docs/EVENTS.md documents every RelayEventTypes constant")
                .containsAll(EventContract.codeTypes())
                .contains(RelayEventTypes.BUILD_FAILED, RelayEventTypes.SCAN_STARTED,
                        RelayEventTypes.PROMOTION_REJECTED, RelayEventTypes.VERIFY_INCONCLUSIVE);
        assertThat(filters).as("type filters of triggers/*.yaml")
                .extracting(TypeFilter::value)
                .contains(RelayEventTypes.GIT_PUSHED, "dev.knative.source.github.push", "dev.knative.apiserver.resource.");
    }

    @Test
    void everyTypeATriggerTakesIsDocumented() {
        Set<String> documented = EventContract.documentedTypes(document);
        for (TypeFilter filter : filters) {
            assertThat(documented.stream().anyMatch(filter::matches)).as(filter + " documented").isTrue();
        }
    }

    @Test
    void aConstantWithoutItsRowFails() {
        String mutated = document.lines()
                .filter(line -> !line.startsWith("| `" + RelayEventTypes.SCAN_STARTED + "`"))
                .collect(Collectors.joining("\n"));
        assertThat(mutated).as("the mutation removed a row").isNotEqualTo(document);

        assertThat(EventContract.violations(EventContract.codeTypes(), EventContract.documentedTypes(mutated), filters))
                .containsExactly(RelayEventTypes.SCAN_STARTED + " (RelayEventTypes) is not documented in docs/EVENTS.md");
    }

    @Test
    void aDocumentedTypeTheCodeLacksFails() {
        String mutated = document + "\n| `dev.relay.image.deleted` | nobody | nobody | - |\n";

        assertThat(EventContract.violations(EventContract.codeTypes(), EventContract.documentedTypes(mutated), filters))
                .containsExactly("dev.relay.image.deleted is documented in docs/EVENTS.md, but is no RelayEventTypes"
                        + " constant");
    }

    @Test
    void aTriggerOnAnUnknownTypeFails() {
        List<TypeFilter> mutated = new ArrayList<>(filters);
        mutated.add(new TypeFilter("on-image-scan-image-deleted", "dev.relay.image.deleted", false));
        mutated.add(new TypeFilter("on-push-build-gitlab-push", "dev.knative.source.gitlab.push", false));
        mutated.add(new TypeFilter("on-anything", "com.example.", true));

        assertThat(EventContract.violations(EventContract.codeTypes(), EventContract.documentedTypes(document),
                mutated)).containsExactly(
                        "Trigger on-image-scan-image-deleted (type dev.relay.image.deleted) is neither a RelayEventTypes"
                                + " constant nor an external dev.knative.* type",
                        "Trigger on-image-scan-image-deleted (type dev.relay.image.deleted) is not documented in"
                                + " docs/EVENTS.md",
                        "Trigger on-push-build-gitlab-push (type dev.knative.source.gitlab.push) is not documented in"
                                + " docs/EVENTS.md",
                        "Trigger on-anything (prefix com.example.) filters on a prefix outside dev.relay. and"
                                + " dev.knative.",
                        "Trigger on-anything (prefix com.example.) takes types of which docs/EVENTS.md documents none");
    }

    @Test
    void anExternalTypeNoTriggerTakesFails() {
        List<TypeFilter> withoutGitHubSource = filters.stream()
                .filter(filter -> !filter.value().equals("dev.knative.source.github.push"))
                .toList();
        assertThat(withoutGitHubSource).as("the mutation removed a Trigger").hasSizeLessThan(filters.size());

        assertThat(EventContract.violations(EventContract.codeTypes(), EventContract.documentedTypes(document),
                withoutGitHubSource)).containsExactly(
                        "dev.knative.source.github.push is documented as an external type, but no Trigger takes it");
    }

    @Test
    void onlyTypesCountAsTypesAmongTheConstants() {
        assertThat(EventContract.isEventType(RelayEventTypes.GIT_PUSHED)).isTrue();
        assertThat(EventContract.isEventType("dev.knative.sources.ping")).isTrue();
        assertThat(EventContract.isEventType("/apis/v1/namespaces/relay/pingsources/relay-reconcile")).isFalse();
        assertThat(EventContract.codeTypes()).as("RelayEventTypes' types").contains(RelayEventTypes.GIT_PUSHED)
                .allMatch(EventContract::isEventType);
    }

    @Test
    void filtersNestedInAnyAllAndNotAreRead() {
        Map<String, Object> trigger = new Yaml().load("""
                metadata: {name: t}
                spec:
                  filters:
                    - any:
                        - exact: {type: dev.relay.git.pushed}
                        - not: {prefix: {type: dev.knative.}}
                """);

        assertThat(EventContract.typeFilters(trigger)).containsExactly(
                new TypeFilter("t", "dev.relay.git.pushed", false), new TypeFilter("t", "dev.knative.", true));
    }

    @Test
    void noFileStillPointsAtTheDesignCopyOfTheContract() throws IOException {
        Set<String> stale = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile)
                    .filter(file -> !root.relativize(file).toString().startsWith("."))
                    .filter(file -> !file.toString().contains("/target/"))
                    .filter(file -> file.toString().matches(".*\\.(md|java|yaml|yml)$"))
                    .filter(file -> !file.endsWith("EventContractTest.java"))
                    .forEach(file -> {
                        if (read(file).contains("design/EVENTS.md")) {
                            stale.add(root.relativize(file).toString());
                        }
                    });
        }
        assertThat(stale).as("files referring to shared/design/EVENTS.md instead of docs/EVENTS.md").isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<TypeFilter> triggerFilters(Path dir) throws IOException {
        List<TypeFilter> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : new Yaml().loadAll(read(file))) {
                    if (doc instanceof Map<?, ?> map && "Trigger".equals(map.get("kind"))) {
                        out.addAll(EventContract.typeFilters((Map<String, Object>) map));
                    }
                }
            }
        }
        return out;
    }

    private static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("triggers")) && Files.isDirectory(p.resolve("docs"))
                    && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no directory with triggers/ and docs/ above " + Path.of("").toAbsolutePath());
    }
}
