package jsync.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jsync.core.DaemonThreads;
import jsync.core.JsyncException;

/**
 * One protocol connection between two jsync processes, symmetric: either side sends requests and answers
 * the other's, with many requests and content channels in flight (pipelining).
 *
 * <p>Threads: a reader thread owns the input. It completes waiting calls, appends to streamed answers
 * (a scan's batches) and to content channels, and hands requests from the peer to the {@link Handler}:
 * content reads ({@link Message.ReadRequest}) on a pool, everything else on one thread in arrival order
 * (steps must be applied in the order sent). The reader never waits for a handler or a caller, except on a
 * content channel whose bounded buffer is full: its consumer (a copy thread) only ever reads on, so it
 * frees room; a consumer that gives up closes its stream and the reader then drops that channel's frames.
 *
 * <p>Ids: the side that opened the connection (the client) numbers its requests and content channels with
 * odd numbers, the other side with even ones, so an incoming id is a response to us exactly when we are
 * waiting for it.
 *
 * <p>Failure: when the connection breaks, every waiting call and channel fails with a
 * {@link ProtocolException} naming the peer, and so does every later call.
 */
public final class Session implements AutoCloseable {
  /** Frames buffered per incoming content channel (at most 1 MiB each): 8 MiB per file in flight. */
  static final int CHANNEL_BUFFER_FRAMES = 8;
  /** Threads serving the peer's content reads. */
  static final int CONTENT_THREADS = 4;

  /** Answers the peer's requests. Runs on the session's handler threads. */
  public interface Handler {
    /**
     * Handles one request. Answer with {@link Session#reply} (or several replies for a streamed answer);
     * a content read is answered on its channel. An exception becomes an {@link Message.ErrorResponse}.
     */
    void handle(Session session, long id, Message request) throws Exception;
  }

  private final FrameReader reader;
  private final FrameWriter writer;
  private final MessageCodec codec = new MessageCodec();
  private final String peer;
  private final Handler handler;
  private final AtomicLong nextId;
  private final AtomicInteger nextChannel;
  private final Map<Long, Waiting> waiting = new ConcurrentHashMap<>();
  private final Map<Integer, Incoming> channels = new ConcurrentHashMap<>();
  private final ExecutorService ordered = Executors.newSingleThreadExecutor(DaemonThreads.named("jsync-session"));
  private final ExecutorService content =
      Executors.newFixedThreadPool(CONTENT_THREADS, DaemonThreads.named("jsync-content"));
  private final Thread readerThread;
  private volatile ProtocolException failure;
  private final java.util.List<java.util.function.Consumer<ProtocolException>> failureListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicBoolean failureTold = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean closing;
  private Message.Hello peerHello;
  /** Content streams open for writing ({@link #send}); the last one to close flushes at once. */
  private final AtomicInteger sending = new AtomicInteger();
  /**
   * How long a content stream's end may wait for others' (see {@link LateFlush}): short against a round
   * trip, long against the ~100 µs a small file takes to read and send.
   */
  static final long LATE_FLUSH_NANOS = 1_000_000;
  private final LateFlush lateFlush;

  private Session(InputStream in, OutputStream out, boolean client, Handler handler, String peer,
      boolean compress) {
    this.reader = new FrameReader(in);
    this.writer = new FrameWriter(out,
        compress ? FrameWriter.Compression.WHEN_LINK_SLOW : FrameWriter.Compression.OFF, System::nanoTime);
    this.peer = peer;
    this.handler = handler;
    this.nextId = new AtomicLong(client ? 1 : 2);
    this.nextChannel = new AtomicInteger(client ? 1 : 2);
    this.readerThread = new Thread(this::readLoop, "jsync-reader");
    this.readerThread.setDaemon(true);
    this.lateFlush = new LateFlush(writer, LATE_FLUSH_NANOS, this::broken);
  }

  /**
   * Runs the handshake over the given streams and starts reading.
   *
   * @param client true on the side that opened the connection
   * @param peer how messages name the other side, e.g. "web2:/home/www"
   * @throws ProtocolException if the other side is not a compatible jsync
   */
  public static Session start(InputStream in, OutputStream out, boolean client, Handler handler, String peer,
      String jsyncVersion, boolean compress) throws IOException {
    Session s = new Session(in, out, client, handler, peer, compress);
    s.peerHello = Handshake.perform(s.writer, s.reader, s.codec, Handshake.hello(jsyncVersion, s.reader));
    s.readerThread.start();
    return s;
  }

  public Message.Hello peerHello() {
    return peerHello;
  }

  public String peer() {
    return peer;
  }

  // ---- calls ---------------------------------------------------------------------------------------

  /** Sends a request and waits for its single answer of type {@code type}. */
  public <R extends Message> R call(Message request, Class<R> type) {
    return request(request, type, true).get();
  }

  /**
   * Sends a request without waiting for its single answer of type {@code type}: several requests can then
   * be in flight (the peer handles them in order) and their answers awaited together.
   *
   * @param flush whether to flush now; otherwise the next flush (or a request that flushes) sends it
   */
  public <R extends Message> Answer<R> request(Message request, Class<R> type, boolean flush) {
    CompletableFuture<Message> answer = new CompletableFuture<>();
    long id = register(new Waiting(answer, null));
    sendNow(id, request, flush);
    return new Answer<>(answer, type);
  }

  /** The answer to a {@link #request}. */
  public final class Answer<R extends Message> {
    private final CompletableFuture<Message> answer;
    private final Class<R> type;

    private Answer(CompletableFuture<Message> answer, Class<R> type) {
      this.answer = answer;
      this.type = type;
    }

    /** Waits for the answer; an error answer or a lost connection is thrown. */
    public R get() {
      Message m;
      try {
        m = answer.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProtocolException("interrupted while waiting for " + peer);
      } catch (ExecutionException e) {
        throw rethrow(e.getCause());
      }
      return expect(m, type);
    }
  }

  /**
   * Sends a request answered by several messages; returns them through a queue, the last one being of
   * type {@code last} (or an error, thrown by {@link Stream#next}).
   */
  public Stream stream(Message request, Class<? extends Message> last) {
    Stream s = new Stream(last);
    long id = register(new Waiting(null, s));
    sendNow(id, request, true);
    return s;
  }

  /** Sends a message that gets no answer (a step to apply); not flushed, see {@link #flush}. */
  public void send(Message message) {
    sendNow(nextId.getAndAdd(2), message, false);
  }

  /** Answers request {@code id}. */
  /**
   * {@code items} split into consecutive parts whose message, made by {@code wrap}, fits a frame (see
   * {@link FrameParts}).
   */
  public <T> java.util.List<java.util.List<T>> parts(java.util.List<T> items,
      java.util.function.Function<java.util.List<T>, Message> wrap) {
    return FrameParts.split(codec, items, wrap, x -> java.util.Optional.empty());
  }

  /** As above; an item too large alone is divided by {@code divide} if it can be. */
  public <T> java.util.List<java.util.List<T>> parts(java.util.List<T> items,
      java.util.function.Function<java.util.List<T>, Message> wrap,
      java.util.function.Function<T, java.util.Optional<java.util.List<T>>> divide) {
    return FrameParts.split(codec, items, wrap, divide);
  }

  public void reply(long id, Message message) {
    sendNow(id, message, true);
  }

  public void flush() {
    try {
      writer.flush();
    } catch (IOException e) {
      throw broken(e);
    }
  }

  /**
   * Flushes within about a millisecond ({@link LateFlush}), together with whatever else is written by
   * then: for messages whose answer is not awaited at once (a small file asked for ahead of its copy).
   */
  public void flushSoon() {
    checkOpen();
    lateFlush.request();
  }

  private long register(Waiting w) {
    checkOpen();
    long id = nextId.getAndAdd(2);
    waiting.put(id, w);
    if (failure != null) {
      waiting.remove(id);
      throw failure;
    }
    return id;
  }

  private void sendNow(long id, Message m, boolean flush) {
    checkOpen();
    try {
      writer.write(codec.frame(id, m));
      if (flush) {
        writer.flush();
      }
    } catch (IOException e) {
      throw broken(e);
    }
  }

  private <R extends Message> R expect(Message m, Class<R> type) {
    if (m instanceof Message.ErrorResponse err) {
      throw new RemoteException(peer, err);
    }
    if (!type.isInstance(m)) {
      throw new ProtocolException(peer + " answered " + MessageCodec.nameOf(m.getClass()) + " instead of "
          + MessageCodec.nameOf(type));
    }
    return type.cast(m);
  }

  /** The messages of a streamed answer, in order. */
  public final class Stream {
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Class<? extends Message> last;
    private boolean done;

    Stream(Class<? extends Message> last) {
      this.last = last;
    }

    /** The next message, or empty after the last one. */
    public Optional<Message> next() {
      if (done) {
        return Optional.empty();
      }
      Object o;
      try {
        o = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProtocolException("interrupted while waiting for " + peer);
      }
      if (o instanceof Throwable t) {
        done = true;
        throw rethrow(t);
      }
      Message m = (Message) o;
      if (m instanceof Message.ErrorResponse err) {
        done = true;
        throw new RemoteException(peer, err);
      }
      if (last.isInstance(m)) {
        done = true;
      }
      return Optional.of(m);
    }

    void add(Object o) {
      queue.add(o);
    }

    boolean isLast(Message m) {
      return last.isInstance(m) || m instanceof Message.ErrorResponse;
    }
  }

  private record Waiting(CompletableFuture<Message> single, Stream stream) {}

  // ---- content channels ----------------------------------------------------------------------------

  /** A new channel number for content this side will receive (pass it in a ReadRequest). */
  public int newChannel() {
    return nextChannel.getAndAdd(2);
  }

  /** The content arriving on {@code channel}; register it before sending the request that names it. */
  public InputStream receive(int channel) {
    return open(new Incoming(channel));
  }

  /**
   * The content arriving on {@code channel}, for a request sent before anyone reads it (asked ahead, see
   * {@link jsync.core.apply.ContentSource#askAhead}): the reader thread must then never wait for room, or
   * it could wait on a channel no copy thread reads yet while the copy threads wait on other channels. So
   * its frames are buffered without a bound on their count, but at most {@code maxBytes} (plus one frame)
   * of them: a peer that sends more is answered with an error on the channel and the rest is dropped.
   */
  public InputStream receiveAhead(int channel, long maxBytes) {
    return open(new Incoming(channel, maxBytes));
  }

  /** Registers {@code in} for its channel; failed at once if the connection already broke. */
  private Incoming open(Incoming in) {
    if (channels.putIfAbsent(in.channel, in) != null) {
      throw new IllegalStateException("channel " + in.channel + " is already open");
    }
    if (failure != null) {
      in.fail(failure);
    }
    return in;
  }

  /** Sends content on {@code channel}: DATA frames as written, END on close. */
  public OutputStream send(int channel) {
    return new Outgoing(channel);
  }

  /**
   * Ends {@code channel} with an error the reader sees as an exception carrying {@code reason}: for a read
   * request that failed before its content stream was opened.
   */
  private void failChannel(int channel, String reason) {
    try {
      writer.write(Frame.error(channel, reason));
      writer.flush();
    } catch (IOException e) {
      throw broken(e);
    }
  }

  /** Content streams from {@link #send} not yet closed or failed (for tests). */
  int contentStreamsOpen() {
    return sending.get();
  }

  /**
   * Ends a stream from {@link #send} with an error instead of its end: the reader sees an exception
   * carrying {@code reason}. The stream is closed by it.
   */
  public void fail(OutputStream stream, String reason) {
    if (!(stream instanceof Outgoing out)) {
      throw new IllegalArgumentException("not a content stream of this session: " + stream);
    }
    out.fail(reason);
  }

  /**
   * An incoming channel's bytes. The reader thread may be at most {@link #CHANNEL_BUFFER_FRAMES} data
   * frames ahead of the consumer (a permit per frame); the end or an error always gets through. A channel
   * asked ahead ({@link #receiveAhead}) is bounded by bytes instead and never makes the reader wait.
   */
  private final class Incoming extends InputStream {
    private final int channel;
    /** For a channel asked ahead: the most bytes it may buffer; -1 for a channel bounded by frames. */
    private final long maxBytes;
    /** Bytes put so far (a channel asked ahead; touched by the reader thread only). */
    private long bytesPut;
    private final BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
    private final java.util.concurrent.Semaphore room = new java.util.concurrent.Semaphore(CHANNEL_BUFFER_FRAMES);
    private byte[] current = new byte[0];
    private int pos;
    private boolean ended;
    private volatile boolean abandoned;

    Incoming(int channel) {
      this(channel, -1);
    }

    Incoming(int channel, long maxBytes) {
      this.channel = channel;
      this.maxBytes = maxBytes;
    }

    void put(Object o) throws InterruptedException {
      if (maxBytes >= 0) {
        putAhead(o);
        return;
      }
      if (o instanceof byte[]) {
        room.acquire();
      }
      if (!abandoned) {
        frames.add(o);
      }
    }

    private void putAhead(Object o) {
      if (abandoned) {
        return;
      }
      if (o instanceof byte[] chunk) {
        bytesPut += chunk.length;
        if (bytesPut > maxBytes + CHUNK_SLACK) {
          // More than was asked for: the consumer gets an error, the reader drops the rest.
          abandoned = true;
          channels.remove(channel);
          frames.add(new IOException(peer + " sent more than the " + maxBytes + " bytes asked for on channel "
              + channel));
          return;
        }
      }
      frames.add(o);
    }

    void fail(Throwable t) {
      frames.add(t);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }

    /**
     * Hands each frame's bytes to {@code out} as they are, instead of copying them through a buffer first
     * as {@code read} does (a 1 GiB file received was 1 GiB of copies). {@code out} must not keep the array.
     */
    @Override
    public long transferTo(OutputStream out) throws IOException {
      long total = 0;
      while (fill()) {
        int n = current.length - pos;
        out.write(current, pos, n);
        pos += n;
        total += n;
      }
      return total;
    }

    /** Makes {@code current} hold unread bytes, waiting for the next frame; false at the end. */
    private boolean fill() throws IOException {
      while (pos == current.length) {
        if (ended) {
          return false;
        }
        Object o;
        try {
          o = frames.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while receiving from " + peer);
        }
        if (o instanceof byte[] chunk) {
          if (maxBytes < 0) {
            room.release();
          }
          current = chunk;
          pos = 0;
        } else if (o == END) {
          ended = true;
          channels.remove(channel);
        } else {
          ended = true;
          channels.remove(channel);
          Throwable t = (Throwable) o;
          throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
        }
      }
      return true;
    }

    @Override
    public void close() {
      if (!ended) {
        // Given up early: the reader drops what still arrives for this channel, never blocking on it.
        abandoned = true;
        channels.remove(channel);
        frames.clear();
        room.release(CHANNEL_BUFFER_FRAMES);
      }
    }
  }

  private static final Object END = new Object();
  /**
   * What a channel asked ahead may carry beyond its size: one frame as the sender cuts them, so that a file
   * that grew since the scan reaches its copy thread, which reports it as changed. No more: up to
   * {@code Applier.AHEAD_FILES} channels may be asked ahead at once, and a peer sending too much on each
   * must not fill the heap: 1,024 x 1 MiB would be half of -Xmx2g, 1,024 x 128 KiB is 128 MiB.
   */
  private static final long CHUNK_SLACK = jsync.core.Streams.CHUNK;

  private final class Outgoing extends OutputStream {
    private final int channel;
    private final int max = writer.maxPayload();
    private boolean closed;

    Outgoing(int channel) {
      this.channel = channel;
      sending.incrementAndGet();
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      checkOpenIo();
      while (len > 0) {
        int n = Math.min(len, max);
        writer.writeData(channel, b, off, n);
        off += n;
        len -= n;
      }
    }

    /** Ends the channel with an ERROR frame instead of END, flushed at once (errors are rare). */
    void fail(String reason) {
      if (!closed) {
        closed = true;
        sending.decrementAndGet();
        failChannel(channel, reason);
      }
    }

    /**
     * Ends the channel. The end leaves at once if no other content stream is being written; otherwise
     * within a moment, with the others' frames: many small files sent at once share their writes.
     */
    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        boolean last;
        try {
          writer.write(Frame.end(channel));
        } finally {
          last = sending.decrementAndGet() == 0;
        }
        if (last) {
          writer.flush();
        } else {
          lateFlush.request();
        }
      }
    }
  }

  // ---- the reader thread ---------------------------------------------------------------------------

  private void readLoop() {
    try {
      while (true) {
        Optional<Frame> next = reader.next();
        if (next.isEmpty()) {
          if (!closing) {
            failAll(new PeerClosedException(peer + " closed the connection"));
          }
          return;
        }
        Frame f = next.get();
        switch (f.type()) {
          case CONTROL -> dispatch(codec.decode(f));
          case DATA -> toChannel(f.channel(), f.payload());
          case END -> toChannel(f.channel(), END);
          case ERROR -> toChannel(f.channel(), new IOException(peer + ": " + f.errorMessage()));
        }
      }
    } catch (ProtocolException e) {
      failAll(e);
    } catch (IOException e) {
      if (!closing) {
        failAll(new ProtocolException("connection to " + peer + " lost: " + e.getMessage(), e));
      }
    } catch (InterruptedException e) {
      failAll(new ProtocolException("connection to " + peer + " interrupted"));
    } catch (RuntimeException e) {
      failAll(new ProtocolException("internal error reading from " + peer + ": " + e, e));
    }
  }

  private void toChannel(int channel, Object item) throws InterruptedException {
    Incoming in = channels.get(channel);
    if (in != null) {
      in.put(item);
    }
    // Otherwise an abandoned or unknown channel: the bytes are dropped.
  }

  private void dispatch(Envelope env) {
    Waiting w = waiting.get(env.id());
    if (w != null) {
      if (w.single() != null) {
        waiting.remove(env.id());
        w.single().complete(env.message());
      } else {
        if (w.stream().isLast(env.message())) {
          waiting.remove(env.id());
        }
        w.stream().add(env.message());
      }
      return;
    }
    ExecutorService pool = env.message() instanceof Message.ReadRequest ? content : ordered;
    pool.execute(() -> handle(env));
  }

  private void handle(Envelope env) {
    try {
      handler.handle(this, env.id(), env.message());
    } catch (JsyncException e) {
      if (failure == null) {
        answerError(env, e.getMessage(), true);
      }
    } catch (Exception | Error e) {
      answerError(env, "internal error in the remote jsync: " + e, true);
    }
  }

  private void answerError(Envelope env, String message, boolean fatal) {
    try {
      if (env.message() instanceof Message.ReadRequest r) {
        failChannel(r.channel(), message);
      } else {
        reply(env.id(), new Message.ErrorResponse(
            fatal ? Message.ErrorResponse.Kind.FATAL : Message.ErrorResponse.Kind.TRANSIENT, message));
      }
    } catch (ProtocolException e) {
      // The connection is gone: the peer learns of it that way.
    }
  }

  /**
   * Tells {@code listener} (once, on the thread that noticed) when the connection breaks; not when this
   * side closes it. Continuous mode waits for changes with no call in flight, so it learns of a lost
   * connection this way.
   */
  public void onFailure(java.util.function.Consumer<ProtocolException> listener) {
    failureListeners.add(listener);
    if (failureTold.get()) {
      listener.accept(failure);
    }
  }

  private void failAll(ProtocolException e) {
    if (failure == null) {
      failure = e;
    }
    for (Long id : waiting.keySet()) {
      Waiting w = waiting.remove(id);
      if (w != null) {
        if (w.single() != null) {
          w.single().completeExceptionally(e);
        } else {
          w.stream().add(e);
        }
      }
    }
    for (Incoming in : channels.values()) {
      in.fail(e);
    }
    if (!closing && failureTold.compareAndSet(false, true)) {
      for (java.util.function.Consumer<ProtocolException> l : failureListeners) {
        l.accept(failure);
      }
    }
  }

  // ---- state ---------------------------------------------------------------------------------------

  private void checkOpen() {
    if (failure != null) {
      throw failure;
    }
  }

  private void checkOpenIo() throws IOException {
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure);
    }
  }

  private ProtocolException broken(IOException e) {
    ProtocolException p = failure != null ? failure
        : new ProtocolException("connection to " + peer + " lost: " + e.getMessage(), e);
    failAll(p);
    return p;
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    return new ProtocolException(t.getMessage(), t);
  }

  /** Waits until the peer closes the connection (or it breaks). */
  public void awaitEnd() {
    try {
      readerThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Lets the requests already received finish (no new ones are taken), waiting at most {@code limit}; for a
   * server whose client went away, before it closes what those requests use.
   */
  public void awaitHandlers(java.time.Duration limit) {
    ordered.shutdown();
    try {
      ordered.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True once the connection failed or was closed. */
  public boolean isBroken() {
    return failure != null;
  }

  /**
   * Closes this side: no more calls; the handler threads stop; the output is closed (the peer then sees
   * the end of the stream). Waits briefly for the reader to see the peer's end.
   */
  @Override
  public void close() {
    closing = true;
    lateFlush.close();
    ordered.shutdown();
    content.shutdown();
    try {
      ordered.awaitTermination(5, TimeUnit.SECONDS);
      writer.close();
    } catch (IOException e) {
      // Closing a broken connection: nothing more to tell the peer.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    content.shutdownNow();
    ordered.shutdownNow();
    if (failure == null) {
      failure = new ProtocolException("the session with " + peer + " is closed");
    }
    try {
      readerThread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
