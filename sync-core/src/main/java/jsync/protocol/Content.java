package jsync.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import jsync.core.apply.Basis;
import jsync.core.apply.ContentSource;
import jsync.core.apply.DeltaMismatchException;
import jsync.core.delta.DeltaDecoder;
import jsync.core.delta.DeltaEncoder;
import jsync.core.delta.HashedOutput;
import jsync.core.delta.Matcher;
import jsync.core.delta.Patcher;
import jsync.core.delta.Signature;
import jsync.core.delta.SignatureBuilder;
import jsync.core.model.Entry;
import jsync.core.model.RelPath;
import jsync.core.model.Stamp;

/**
 * File contents over a {@link Session}, either way: the side that needs a file asks with a
 * {@link Message.ReadRequest} naming a fresh channel; the side that has it streams the file on that channel,
 * whole, or, when the request carries the asker's signature of its current version ({@code base}), as an
 * rsync delta (docs/delta.md) that the asker patches against that version. An error while reading ends
 * the channel with an ERROR frame (never a short END, which would pass for a shorter file; the receiver's
 * size and hash check would catch that too).
 */
final class Content {
  private Content() {}

  /** Streams {@code source} on the request's channel (as a delta if it names a base); closes it. */
  static void send(Session s, Message.ReadRequest r, InputStream source) throws IOException {
    OutputStream out = s.send(r.channel());
    try (InputStream in = source) {
      if (r.base().isPresent()) {
        Signature base = r.base().get();
        DeltaEncoder encoder = new DeltaEncoder(base, out, true);
        if (r.want().fingerprint().known()) {
          // The receiver checks the rebuilt file against this fingerprint, which our scan computed: the
          // trailer states it instead of a second hash of the same bytes. (A file changed since the scan
          // then fails that check, and the whole-file transfer after it reports the change.)
          Matcher.Result m = new Matcher(base).deltifyUnhashed(in, encoder);
          encoder.finish(m.length(), r.want().fingerprint());
        } else {
          Matcher.Result m = new Matcher(base).deltify(in, encoder);
          encoder.finish(m.length(), m.fingerprint());
        }
      } else {
        jsync.core.Streams.copy(in, out, r.want().size());
      }
    } catch (IOException | RuntimeException e) {
      s.fail(out, e.getMessage() != null ? e.getMessage() : e.toString());
      return;
    } catch (Error e) {
      // Ended all the same, so the session does not count the stream open for ever (see Session.send).
      try {
        s.fail(out, e.toString());
      } catch (RuntimeException alsoBroken) {
        e.addSuppressed(alsoBroken);
      }
      throw e;
    }
    out.close();
  }

  /** Asks the peer for the content of {@code path} as scanned ({@code want}, {@code stamp}), whole. */
  static InputStream request(Session s, RelPath path, Entry.File want, Stamp stamp) {
    return request(s, path, want, stamp, Optional.empty());
  }

  private static InputStream request(Session s, RelPath path, Entry.File want, Stamp stamp,
      Optional<Signature> base) {
    int channel = s.newChannel();
    return ask(s, s.receive(channel), new Message.ReadRequest(channel, path, want, stamp, base));
  }

  /** Sends {@code r} once its channel's stream {@code in} is registered, so no frame of the answer is lost. */
  private static InputStream ask(Session s, InputStream in, Message.ReadRequest r) {
    s.send(r);
    s.flush();
    return in;
  }

  /**
   * Asks the peer for the whole content of {@code path} now, before anything reads it: the answer is
   * buffered as it comes (at most the file's size, see {@link Session#receiveAhead}), so a small file's
   * round trip overlaps the copies before it instead of holding up a copy thread.
   */
  static InputStream askAhead(Session s, RelPath path, Entry.File want, Stamp stamp) {
    int channel = s.newChannel();
    InputStream in = s.receiveAhead(channel, want.size());
    s.send(new Message.ReadRequest(channel, path, want, stamp, Optional.empty()));
    // Asked ahead of its copy: it may wait a moment for the next ones asked (LateFlush).
    s.flushSoon();
    return in;
  }

  /**
   * Receives the content of {@code path} into {@code sink}: as a delta against {@code basis} if there is one
   * (its stored signature, or one computed now), else whole.
   *
   * @throws DeltaMismatchException if the delta did not rebuild {@code want}
   */
  static void receive(Session s, RelPath path, Entry.File want, Stamp stamp, Optional<Basis> basis,
      OutputStream sink) throws IOException {
    if (basis.isEmpty()) {
      try (InputStream in = request(s, path, want, stamp)) {
        in.transferTo(sink);   // frame by frame, without a copy (Session.Incoming)
      }
      return;
    }
    Optional<Signature> signature = basisSignature(basis.get());
    if (signature.isEmpty()) {
      // Its signature would not fit in a request: the file goes whole.
      receive(s, path, want, stamp, Optional.empty(), sink);
      return;
    }
    Path file = basis.get().file();
    Signature base = signature.get();
    try (FileChannel old = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
         InputStream in = request(s, path, want, stamp, Optional.of(base));
         // The applier's sink hashes what it is given: the patcher takes its hash from it (one hash, not two).
         Patcher patcher = new Patcher(base, old, Patcher.channelTo(sink), want.size(), want.fingerprint(),
             basis.get().copies(), sink instanceof HashedOutput hashed ? hashed : null)) {
      DeltaDecoder.decode(in, base, patcher);
      Patcher.Result result = patcher.finish();
      if (!result.verified()) {
        throw new DeltaMismatchException("delta of " + path.display() + " did not rebuild it: "
            + result.mismatch().orElse("mismatch"));
      }
    }
  }

  /**
   * The signature to send for a delta against {@code basis}: its stored one, or one computed now; empty if
   * neither fits in a request frame ({@link ReplicaServer#oversized}: files of more than about 5.5 GiB), and the
   * file must then come whole. A stored signature may be larger than the usual one for its file (it kept its
   * basis's block size, {@code SignatureBuilder.blockSizeFor(long, int)}): if that one does not fit, one with
   * the usual block size is computed.
   */
  static Optional<Signature> basisSignature(Basis basis) throws IOException {
    Optional<Signature> stored = basis.stored().filter(sig -> !ReplicaServer.oversized(sig.blockCount()));
    if (stored.isPresent()) {
      return stored;
    }
    long size = Files.size(basis.file());
    return ReplicaServer.oversized(Signature.blockCount(size, SignatureBuilder.blockSizeFor(size)))
        ? Optional.empty() : Optional.of(signatureOf(basis.file()));
  }

  /**
   * The block signature of a file, read now (the archive had none for its content). Seed 0, as the
   * signatures the scanner stores: the strong checksum only has to make a false block match unlikely; the
   * whole-file hash after patching catches the rest and falls back to a full transfer.
   */
  static Signature signatureOf(Path file) throws IOException {
    long size = Files.size(file);
    SignatureBuilder b = new SignatureBuilder(size, 0);
    byte[] buf = new byte[1 << 16];
    long seen = 0;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while (seen < size && (n = in.read(buf, 0, (int) Math.min(buf.length, size - seen))) > 0) {
        b.update(buf, 0, n);
        seen += n;
      }
    }
    if (seen != size) {
      throw new DeltaMismatchException(file + " shrank while its signature was computed");
    }
    return b.finish();
  }

  /** The content source of a side whose files come from the peer of session {@code s}. */
  static ContentSource fromPeer(Session s) {
    return new ContentSource() {
      @Override
      public InputStream open(RelPath path, Entry.File want, Stamp stamp) {
        return request(s, path, want, stamp);
      }

      @Override
      public boolean remote() {
        return true;
      }

      @Override
      public InputStream askAhead(RelPath path, Entry.File want, Stamp stamp) {
        return Content.askAhead(s, path, want, stamp);
      }

      @Override
      public void transfer(RelPath path, Entry.File want, Stamp stamp, Optional<Basis> basis,
          OutputStream sink) throws IOException {
        receive(s, path, want, stamp, basis, sink);
      }
    };
  }
}
