package jsync.protocol;

import java.util.List;

/**
 * Run by {@link MessageCodecWithoutDatabindTest} in a JVM of its own: encodes and decodes every sample
 * message and prints {@code ok N}, or the first failure.
 */
public final class MessageCodecProbe {
  private MessageCodecProbe() {}

  public static void main(String[] args) {
    MessageCodec codec = new MessageCodec();
    List<Message> samples = ProtocolFixtures.samples();
    int n = 0;
    for (Message m : samples) {
      Message back = codec.decode(codec.encode(7, m)).message();
      if (!back.equals(m)) {
        System.out.println("differs: " + m);
        return;
      }
      n++;
    }
    System.out.println("ok " + n);
  }
}
