package jsync.core.archive;

import java.nio.file.Path;

/**
 * A second process for {@link PairLockTest}: {@code hold FILE HOLDER} takes the lock, prints
 * {@code LOCKED} and keeps it until killed or its stdin closes; {@code try FILE HOLDER} tries once and
 * prints {@code LOCKED} or {@code BUSY <message>}, then exits.
 */
@SuppressWarnings("try") // try-with-resources blocks that only hold the lock
public final class PairLockChild {
  private PairLockChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path file = Path.of(args[1]);
    try (PairLock lock = PairLock.acquire(file, args[2])) {
      System.out.println("LOCKED");
      System.out.flush();
      if (mode.equals("hold")) {
        // Until the parent closes our stdin or kills us; the test's own timeouts bound this.
        while (System.in.read() >= 0) {
          // keep holding
        }
      }
    } catch (LockedException e) {
      System.out.println("BUSY " + e.getMessage());
      System.out.flush();
    }
  }
}
