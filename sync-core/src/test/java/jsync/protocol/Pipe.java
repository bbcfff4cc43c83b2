package jsync.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * An in-memory byte pipe with a bounded ring buffer, for running both ends of the protocol in one JVM.
 * Unlike {@link java.io.PipedInputStream} it does not care which threads write (PipedInputStream reports a
 * broken pipe once the last writing thread has ended), and closing the output gives the reader a clean end
 * of stream after the buffered bytes.
 */
final class Pipe {
  private final byte[] buf;
  private int head;
  private int size;
  private boolean writerClosed;
  private boolean readerClosed;

  Pipe(int capacity) {
    buf = new byte[capacity];
  }

  Pipe() {
    this(64 * 1024);
  }

  final InputStream in = new InputStream() {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      synchronized (Pipe.this) {
        while (size == 0) {
          if (writerClosed || readerClosed) {
            return -1;
          }
          await();
        }
        int n = Math.min(len, Math.min(size, buf.length - head));
        System.arraycopy(buf, head, b, off, n);
        head = (head + n) % buf.length;
        size -= n;
        Pipe.this.notifyAll();
        return n;
      }
    }

    @Override
    public int available() {
      synchronized (Pipe.this) {
        return size;
      }
    }

    @Override
    public void close() {
      synchronized (Pipe.this) {
        readerClosed = true;
        Pipe.this.notifyAll();
      }
    }
  };

  final OutputStream out = new OutputStream() {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      synchronized (Pipe.this) {
        while (len > 0) {
          if (readerClosed) {
            throw new IOException("pipe closed by the reader");
          }
          if (writerClosed) {
            throw new IOException("pipe closed");
          }
          if (size == buf.length) {
            await();
            continue;
          }
          int tail = (head + size) % buf.length;
          int n = Math.min(len, Math.min(buf.length - size, buf.length - tail));
          System.arraycopy(b, off, buf, tail, n);
          size += n;
          off += n;
          len -= n;
          Pipe.this.notifyAll();
        }
      }
    }

    @Override
    public void close() {
      synchronized (Pipe.this) {
        writerClosed = true;
        Pipe.this.notifyAll();
      }
    }
  };

  private void await() throws InterruptedIOException {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting on the pipe");
    }
  }
}
