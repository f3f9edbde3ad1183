package dev.relay.shared.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HelmValuesSetterTest {

    static Stream<GoldenCases> golden() {
        return GoldenCases.under("helm");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void shouldMatchGoldenFileByteForByte(GoldenCases golden) {
        String path = golden.args().getProperty("path");
        String digest = golden.args().getProperty("digest");
        YamlEdit edit = digest != null
                ? HelmValuesSetter.setDigest(golden.original(), path, digest)
                : HelmValuesSetter.setTag(golden.original(), path, golden.args().getProperty("tag"));

        assertThat(edit.text()).isEqualTo(golden.expected());
        assertThat(edit.changed()).isEqualTo(!golden.original().equals(golden.expected()));
    }

    @Test
    void shouldReportOldValue() {
        YamlEdit edit = HelmValuesSetter.setTag("image:\n  tag: \"1.2.3\"\n", "image.tag", "1.2.4");

        assertThat(edit).isEqualTo(new YamlEdit("image:\n  tag: \"1.2.4\"\n", "1.2.3", "1.2.4", true));
    }

    @Test
    void shouldSetGenericValue() {
        YamlEdit edit = HelmValuesSetter.set("image:\n  repository: a\n", "image.repository", "ghcr.io/acme/b");

        assertThat(edit.text()).isEqualTo("image:\n  repository: ghcr.io/acme/b\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../x", "v1\n- name: evil", "v1\nimage:\n  tag: evil", "v1 #x", ""})
    void shouldRejectMaliciousTags(String tag) {
        assertThatThrownBy(() -> HelmValuesSetter.setTag("image:\n  tag: v1\n", "image.tag", tag))
                .isInstanceOf(InvalidImageValueException.class)
                .hasMessageStartingWith("image.tag ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "image..tag", ".image", "image.tag.", "image tag", "image.[0]"})
    void shouldRejectInvalidPaths(String path) {
        assertThatThrownBy(() -> HelmValuesSetter.setTag("image:\n  tag: v1\n", path, "v2"))
                .isInstanceOf(InvalidImageValueException.class)
                .hasMessageStartingWith("path ");
    }

    @Test
    void shouldRejectFlowMapping() {
        assertThatThrownBy(() -> HelmValuesSetter.setTag("image: {repository: a, tag: v1}\n", "image.tag", "v2"))
                .isInstanceOf(YamlStructureException.class)
                .hasMessageContaining("flow");
    }

    @Test
    void shouldRejectScalarWhereMappingExpected() {
        assertThatThrownBy(() -> HelmValuesSetter.setTag("image: nginx:1\n", "image.tag", "v2"))
                .isInstanceOf(YamlStructureException.class)
                .hasMessageContaining("image is not a mapping");
    }

    @Test
    void shouldRejectBlockScalarLeaf() {
        assertThatThrownBy(() -> HelmValuesSetter.setTag("image:\n  tag: |\n    v1\n", "image.tag", "v2"))
                .isInstanceOf(YamlStructureException.class);
    }
}
