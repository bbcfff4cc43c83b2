package jsync.core.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import org.junit.jupiter.api.Test;

/** ScanOptions' and PropsPolicy's written-out equals compare every component, as a record's would. */
class ScanOptionsTest {
  private static final PathFilter FILTER = path -> path.name().startsWith("x");

  private static ScanOptions base() {
    return new ScanOptions(List.of(RelPath.parse("a"), RelPath.parse("b")), FILTER, new PropsPolicy(0755, true), true,
        true, 42, List.of(RelPath.parse("a")));
  }

  @Test
  void theComponentsAreTheOnesEqualsCompares() {
    // A new component must be added to ScanOptions.equals and hashCode, and then here.
    assertEquals(List.of("scopes", "filter", "props", "fastcheck", "links", "signatureSeed", "guards"),
        Arrays.stream(ScanOptions.class.getRecordComponents()).map(RecordComponent::getName).toList());
    assertEquals(List.of("permMask", "times"),
        Arrays.stream(PropsPolicy.class.getRecordComponents()).map(RecordComponent::getName).toList());
  }

  @Test
  void equalWithEqualComponents_unequalWhenAnyOneDiffers() {
    assertEquals(base(), base());
    assertEquals(base().hashCode(), base().hashCode());
    List<ScanOptions> variants = List.of(
        base().withScopes(List.of(RelPath.parse("a"))),
        base().withFilter(path -> path.name().startsWith("x")), // a filter is equal only to itself
        base().withProps(new PropsPolicy(0700, true)),
        base().withProps(new PropsPolicy(0755, false)),
        base().withFastcheck(false),
        base().withLinks(false),
        new ScanOptions(base().scopes(), FILTER, base().props(), true, true, 43, base().guards()),
        base().withGuards(List.of()));
    for (ScanOptions v : variants) {
      assertNotEquals(base(), v, v.toString());
      assertNotEquals(v, base(), v.toString());
    }
    assertNotEquals(base(), null);
    assertEquals(new PropsPolicy(0755, true), base().props());
    assertEquals(new PropsPolicy(0755, true).hashCode(), base().props().hashCode());
    assertNotEquals(PropsPolicy.DEFAULT, "not a policy");
  }
}
