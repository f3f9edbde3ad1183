package dev.relay.shared.ordering;

import dev.relay.shared.config.RelayProperties;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.semver4j.RangesList;
import org.semver4j.RangesListFactory;
import org.semver4j.Semver;

/**
 * A pipeline's tag policy ({@code relay.yaml} {@code tags}): which tags an environment takes, and which of two images
 * is newer. Never replace a newer image with an older one; see {@link RelayProperties.Tags} for the rules.
 */
public final class TagPolicy {

    private static final Pattern REFERENCE = Pattern.compile("\\$(?:\\{([A-Za-z][A-Za-z0-9]*|[0-9]{1,2})}"
            + "|([A-Za-z][A-Za-z0-9]*|[0-9]{1,2}))");
    private static final Pattern RANGE = Pattern.compile("[0-9A-Za-z.*^~<>=|+\\- ]{1,200}");

    private final Pattern pattern;
    private final String extract;
    private final RelayProperties.Order order;
    private final RangesList range;

    private TagPolicy(Pattern pattern, String extract, RelayProperties.Order order, RangesList range) {
        this.pattern = pattern;
        this.extract = extract;
        this.order = order;
        this.range = range;
    }

    /** The policy of a pipeline; {@code null} settings are the default policy (every tag, default order). */
    public static TagPolicy of(RelayProperties.Tags tags) {
        if (tags == null) {
            return new TagPolicy(null, null, null, null);
        }
        return new TagPolicy(tags.pattern() == null ? null : Pattern.compile(tags.pattern()), tags.extract(),
                tags.order(), tags.range() == null ? null : RangesListFactory.create(tags.range()));
    }

    /** An image in an environment or on its way there; {@code digest} and {@code sourceCommitTime} may be unknown. */
    public record Image(String tag, String digest, Instant sourceCommitTime) {
    }

    /** Where a candidate stands against an image the environment already has. */
    public enum Comparison { NEWER, SAME, OLDER, UNKNOWN }

    /**
     * Why the policy does not take {@code candidate} at all (it fails {@code pattern}, is no version of the
     * {@code range}, no number, or has no source commit time to order by); empty when it may be deployed.
     */
    public Optional<String> filters(Image candidate) {
        Optional<String> byTag = filtersTag(candidate.tag());
        if (byTag.isPresent() || order != RelayProperties.Order.SOURCE_COMMIT_TIME) {
            return byTag;
        }
        return candidate.sourceCommitTime() == null
                ? Optional.of("no sourceCommitTime to order by (tags.order: source-commit-time)") : Optional.empty();
    }

    /** Like {@link #filters}, from the tag alone: what can be decided before the image's source time is known. */
    public Optional<String> filtersTag(String tag) {
        String key = key(tag);
        if (key == null) {
            return Optional.of("tag does not match tags.pattern");
        }
        if (order == null) {
            return Optional.empty();
        }
        return switch (order) {
            case SEMVER -> {
                Semver version = Semver.parse(key);
                if (version == null) {
                    yield Optional.of("'" + key + "' is not a semantic version (tags.order: semver)");
                }
                yield range != null && !range.isSatisfiedBy(version)
                        ? Optional.of(key + " is outside tags.range " + range) : Optional.empty();
            }
            case NUMERIC -> number(key) == null
                    ? Optional.of("'" + key + "' is not a number (tags.order: numeric)") : Optional.empty();
            case ALPHABETICAL, SOURCE_COMMIT_TIME -> Optional.empty();
        };
    }

    /** How {@code candidate} compares with {@code current}; {@link Comparison#UNKNOWN} when the policy cannot tell. */
    public Comparison compare(Image candidate, Image current) {
        String a = key(candidate.tag());
        String b = key(current.tag());
        if (a == null || b == null) {
            return Comparison.UNKNOWN;
        }
        Integer byKey = byKey(a, b, candidate, current);
        if (byKey == null) {
            return Comparison.UNKNOWN;
        }
        if (byKey != 0) {
            return byKey > 0 ? Comparison.NEWER : Comparison.OLDER;
        }
        Integer byTime = byTime(candidate, current);
        if (byTime != null && byTime != 0) {
            return byTime > 0 ? Comparison.NEWER : Comparison.OLDER;
        }
        if (byTime == null && candidate.tag().equals(current.tag()) && candidate.digest() != null
                && !candidate.digest().equals(current.digest())) {
            return Comparison.NEWER;
        }
        return Comparison.SAME;
    }

    private Integer byKey(String a, String b, Image candidate, Image current) {
        if (order == null) {
            return byDefault(a, b, candidate, current);
        }
        return switch (order) {
            case SEMVER -> bySemver(a, b);
            case NUMERIC -> number(a) == null || number(b) == null ? null
                    : Integer.valueOf(number(a).compareTo(number(b)));
            case ALPHABETICAL -> Integer.valueOf(Integer.signum(a.compareTo(b)));
            case SOURCE_COMMIT_TIME -> byTime(candidate, current);
        };
    }

    private static Integer byDefault(String a, String b, Image candidate, Image current) {
        Integer semver = bySemver(a, b);
        return semver != null ? semver : byTime(candidate, current);
    }

    private static Integer bySemver(String a, String b) {
        Semver left = Semver.parse(a);
        Semver right = Semver.parse(b);
        return left == null || right == null ? null : Integer.valueOf(Integer.signum(left.compareTo(right)));
    }

    private static Integer byTime(Image candidate, Image current) {
        if (candidate.sourceCommitTime() == null || current.sourceCommitTime() == null) {
            return null;
        }
        return Integer.valueOf(Integer.signum(candidate.sourceCommitTime().compareTo(current.sourceCommitTime())));
    }

    /** What of {@code tag} is ordered, or null when it does not match the pattern. */
    String key(String tag) {
        if (tag == null) {
            return null;
        }
        if (pattern == null) {
            return tag;
        }
        Matcher matcher = pattern.matcher(tag);
        if (!matcher.find()) {
            return null;
        }
        return extract == null ? tag : expand(matcher, extract);
    }

    private static String expand(Matcher match, String template) {
        StringBuilder out = new StringBuilder();
        Matcher reference = REFERENCE.matcher(template);
        int last = 0;
        while (reference.find()) {
            out.append(template, last, reference.start());
            String group = reference.group(1) != null ? reference.group(1) : reference.group(2);
            String value = Character.isDigit(group.charAt(0)) ? match.group(Integer.parseInt(group))
                    : match.group(group);
            out.append(value == null ? "" : value);
            last = reference.end();
        }
        return out.append(template.substring(last)).toString();
    }

    private static BigDecimal number(String key) {
        if (key.length() > 100) {
            return null;
        }
        try {
            return new BigDecimal(key);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public static boolean isValidPattern(String pattern) {
        try {
            Pattern.compile(pattern);
            return pattern.length() <= 500;
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    /** Every {@code $…} of {@code extract} names a group of {@code pattern}, and there is at least one. */
    public static boolean isValidExtract(String pattern, String extract) {
        int groups = Pattern.compile(pattern).matcher("").groupCount();
        Matcher reference = REFERENCE.matcher(extract);
        boolean any = false;
        while (reference.find()) {
            any = true;
            String group = reference.group(1) != null ? reference.group(1) : reference.group(2);
            boolean known = Character.isDigit(group.charAt(0))
                    ? Integer.parseInt(group) <= groups
                    : pattern.contains("(?<" + group + ">");
            if (!known) {
                return false;
            }
        }
        return any && extract.length() <= 200;
    }

    public static boolean isValidRange(String range) {
        return RANGE.matcher(range).matches() && !range.isBlank() && !RangesListFactory.create(range).get().isEmpty();
    }
}
