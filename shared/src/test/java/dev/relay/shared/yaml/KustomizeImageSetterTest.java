package dev.relay.shared.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class KustomizeImageSetterTest {

    private static final String DIGEST = "sha256:" + "c".repeat(64);

    static Stream<GoldenCases> golden() {
        return GoldenCases.under("kustomize");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void shouldMatchGoldenFileByteForByte(GoldenCases golden) {
        YamlEdit edit = KustomizeImageSetter.set(golden.original(), golden.args().getProperty("image"),
                golden.args().getProperty("tag"), golden.args().getProperty("digest"));

        assertThat(edit.text()).isEqualTo(golden.expected());
        assertThat(edit.changed()).isEqualTo(!golden.original().equals(golden.expected()));
        assertThat(edit.newValue()).isEqualTo(golden.args().getProperty("tag"));
    }

    @Test
    void shouldChangeExactlyOneLineForASimpleBump() {
        String original = GoldenCases.under("kustomize").filter(c -> c.name().equals("comments"))
                .findFirst().orElseThrow().original();

        YamlEdit edit = KustomizeImageSetter.set(original, "ghcr.io/acme/app", "v9.9.9", null);

        List<String> before = original.lines().toList();
        List<String> after = edit.text().lines().toList();
        assertThat(after).hasSameSizeAs(before);
        List<Integer> differing = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).equals(after.get(i))) {
                differing.add(i);
            }
        }
        assertThat(differing).hasSize(1);
        assertThat(after.get(differing.get(0))).isEqualTo("    newTag: v9.9.9 # bumped automatically");
        assertThat(edit.oldValue()).isEqualTo("v1.2.3");
        assertThat(edit.changed()).isTrue();
    }

    @Test
    void shouldReturnIdenticalTextWhenValueAlreadySet() {
        String original = "images:\n- name: app\n  newTag: v1\n  digest: " + DIGEST + "\n";

        YamlEdit edit = KustomizeImageSetter.set(original, "app", "v1", DIGEST);

        assertThat(edit).isEqualTo(new YamlEdit(original, "v1", "v1", false));
        assertThat(edit.text()).isSameAs(original);
    }

    @Test
    void shouldReportNullOldValueWhenEntryAdded() {
        YamlEdit edit = KustomizeImageSetter.set("images:\n- name: a\n  newTag: v1\n", "b", "v2", null);

        assertThat(edit.oldValue()).isNull();
        assertThat(edit.text()).isEqualTo("images:\n- name: a\n  newTag: v1\n- name: b\n  newTag: v2\n");
    }

    @Test
    void shouldCreateDocumentForEmptyText() {
        assertThat(KustomizeImageSetter.set("", "app", "v1", null).text())
                .isEqualTo("images:\n- name: app\n  newTag: v1\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../x", "v1\n- name: evil", "v1\n  digest: x", "v1: x", "v1 # c", "-v1", ".v1",
            "v1'", "v1\"", "", "v/1", "v1\u0000",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void shouldRejectMaliciousOrInvalidTagsBeforeTouchingText(String tag) {
        String original = "images:\n- name: app\n  newTag: v1\n";

        assertThatThrownBy(() -> KustomizeImageSetter.set(original, "app", tag, null))
                .isInstanceOf(InvalidImageValueException.class)
                .hasMessageStartingWith("newTag ")
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:" + "A", "sha512:" + "a", "sha256:abc", "sha256:" + "g"})
    void shouldRejectInvalidDigests(String prefix) {
        String digest = prefix.length() > 8 ? prefix : prefix + "a".repeat(63);

        assertThatThrownBy(() -> KustomizeImageSetter.set("images: []\n", "app", "v1", digest))
                .isInstanceOf(InvalidImageValueException.class)
                .hasMessageStartingWith("digest ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Ghcr.io/Acme/App", "app\nx", "app:v1", "app@sha256:x", "/app", "app/", "a//b",
            "ghcr.io/acme/app name"})
    void shouldRejectInvalidImageNames(String name) {
        assertThatThrownBy(() -> KustomizeImageSetter.set("images: []\n", name, "v1", null))
                .isInstanceOf(InvalidImageValueException.class)
                .hasMessageStartingWith("imageName ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx", "library/nginx", "ghcr.io/acme/app", "localhost:5000/a/b", "registry-1.docker.io/a__b",
            "quay.io/a-b/c.d_e", "123"})
    void shouldAcceptDistributionReferenceNames(String name) {
        YamlEdit edit = KustomizeImageSetter.set("kind: Kustomization\n", name, "v1", null);

        assertThat(edit.changed()).isTrue();
        assertThat(edit.text()).contains("- name: " + (name.equals("123") ? "\"123\"" : name) + "\n");
    }

    @Test
    void shouldRejectFlowSequence() {
        assertThatThrownBy(() -> KustomizeImageSetter.set("images: [{name: app, newTag: v1}]\n", "app", "v2", null))
                .isInstanceOf(YamlStructureException.class)
                .hasMessageContaining("images");
    }

    @Test
    void shouldRejectUnparseableDocument() {
        assertThatThrownBy(() -> KustomizeImageSetter.set("images:\n- name: [\n", "app", "v2", null))
                .isInstanceOf(YamlStructureException.class);
    }
}
