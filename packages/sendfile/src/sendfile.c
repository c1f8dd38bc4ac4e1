// sendfile addon: copies a region of a file to a socket with sendfile(2), inside the kernel (from
// the page cache to the socket buffer, never through the process's memory).
//
// send(socketFd, fileFd, position, length, callback) -> number | handle
//   The socket fd is dup'd (the caller's socket object may be closed while the send is running;
//   the duplicate keeps this send's own fd valid until it ends). The socket is non-blocking (libuv
//   made it so): sendfile is called until the region is sent, the file ends or the socket is
//   full (EAGAIN). Finished at once: returns the bytes sent (fewer than `length` when the file is
//   shorter than the region: truncated). Otherwise returns a handle and waits for the socket to be
//   writable with a uv_poll_t on the duplicate fd, on the event loop's own epoll: nothing blocks
//   the loop, nothing spins, other sockets keep going. When it ends, callback(errorCode | null,
//   bytesSent) runs on the loop (errorCode: "EPIPE", "ECONNRESET", ...). An error before anything
//   was waited for throws an Error whose `code` is the errno name.
// cancel(handle): stops a pending send (its connection is closing) and closes the duplicate fd;
//   the callback is not called.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <unistd.h>
#include <uv.h>

// Linux sends at most 0x7ffff000 bytes per call.
#define MAX_CHUNK 0x7ffff000

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int out_fd;
  int in_fd;
  off_t offset;
  int64_t remaining;
  int64_t sent;
  int error;     // errno of a failed sendfile or poll, 0 = none
  int finishing; // poll stopped, close pending
  int canceled;
  int refs;      // the pending send + the JS handle
} Send;

enum Step { STEP_DONE, STEP_WAIT };

// Sends as much as the socket takes now.
static enum Step pump(Send* s) {
  while (s->remaining > 0) {
    size_t want = s->remaining > MAX_CHUNK ? MAX_CHUNK : (size_t)s->remaining;
    ssize_t n = sendfile(s->out_fd, s->in_fd, &s->offset, want);
    if (n > 0) {
      s->sent += n;
      s->remaining -= n;
    } else if (n == 0) {
      return STEP_DONE; // the file ended before the region did: truncated
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return STEP_WAIT;
    } else {
      s->error = errno;
      return STEP_DONE;
    }
  }
  return STEP_DONE;
}

static void release(Send* s) {
  if (--s->refs == 0) free(s);
}

static void on_closed(uv_handle_t* handle) {
  Send* s = (Send*)handle->data;
  napi_env env = s->env;
  close(s->out_fd);
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  if (!s->canceled) {
    napi_value cb, recv, argv[2];
    napi_get_reference_value(env, s->callback, &cb);
    napi_get_global(env, &recv); // make_callback wants an object as `this`
    if (s->error) napi_create_string_utf8(env, uv_err_name(-s->error), NAPI_AUTO_LENGTH, &argv[0]);
    else napi_get_null(env, &argv[0]);
    napi_create_double(env, (double)s->sent, &argv[1]);
    napi_value result;
    // make_callback: runs the microtasks and nextTicks the callback queues, as any I/O callback
    if (napi_make_callback(env, s->async, recv, cb, 2, argv, &result) == napi_pending_exception) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc);
    }
  }
  napi_delete_reference(env, s->callback);
  napi_async_destroy(env, s->async);
  napi_close_handle_scope(env, scope);
  release(s);
}

static void finish(Send* s) {
  s->finishing = 1;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t*)&s->poll, on_closed);
}

static void on_writable(uv_poll_t* poll, int status, int events) {
  (void)events;
  Send* s = (Send*)poll->data;
  if (s->finishing) return;
  if (status < 0) {
    s->error = -status;
    finish(s);
    return;
  }
  if (pump(s) == STEP_DONE) finish(s);
}

static void finalize_handle(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  release((Send*)data);
}

static napi_value throw_errno(napi_env env, int err, const char* syscall) {
  napi_value code, msg, error;
  napi_create_string_utf8(env, uv_err_name(-err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &error);
  napi_throw(env, error);
  return NULL;
}

static napi_value Send_(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "send(socketFd, fileFd, position, length, callback)");
    return NULL;
  }
  int32_t sock_fd, file_fd;
  int64_t position, length;
  napi_valuetype cb_type;
  if (napi_get_value_int32(env, argv[0], &sock_fd) != napi_ok || napi_get_value_int32(env, argv[1], &file_fd) != napi_ok ||
      napi_get_value_int64(env, argv[2], &position) != napi_ok || napi_get_value_int64(env, argv[3], &length) != napi_ok ||
      napi_typeof(env, argv[4], &cb_type) != napi_ok || cb_type != napi_function || sock_fd < 0 || file_fd < 0 || position < 0 ||
      length < 0) {
    napi_throw_type_error(env, NULL, "send: bad arguments");
    return NULL;
  }
  Send* s = calloc(1, sizeof(Send));
  if (!s) return throw_errno(env, ENOMEM, "send");
  s->env = env;
  s->in_fd = file_fd;
  s->offset = (off_t)position;
  s->remaining = length;
  s->out_fd = fcntl(sock_fd, F_DUPFD_CLOEXEC, 0);
  if (s->out_fd < 0) {
    int err = errno;
    free(s);
    return throw_errno(env, err, "dup");
  }
  // libuv's sockets are non-blocking; the duplicate shares that flag. Refuse a blocking one
  // rather than block the loop.
  int flags = fcntl(s->out_fd, F_GETFL);
  if (flags < 0 || !(flags & O_NONBLOCK)) {
    close(s->out_fd);
    free(s);
    return throw_errno(env, EINVAL, "send: the socket is blocking");
  }
  enum Step step = pump(s);
  if (step == STEP_DONE) {
    close(s->out_fd);
    int err = s->error;
    int64_t sent = s->sent;
    free(s);
    if (err) return throw_errno(env, err, "sendfile");
    napi_value out;
    napi_create_double(env, (double)sent, &out);
    return out;
  }
  uv_loop_t* loop;
  napi_get_uv_event_loop(env, &loop);
  int rc = uv_poll_init(loop, &s->poll, s->out_fd);
  if (rc == 0) {
    s->poll.data = s;
    rc = uv_poll_start(&s->poll, UV_WRITABLE, on_writable);
    if (rc != 0) {
      // the handle was initialised: it must be closed through the loop
      s->canceled = 1;
      s->refs = 1;
      napi_create_reference(env, argv[4], 1, &s->callback);
      napi_value name;
      napi_create_string_utf8(env, "tributary.sendfile", NAPI_AUTO_LENGTH, &name);
      napi_async_init(env, NULL, name, &s->async);
      finish(s);
      return throw_errno(env, -rc, "uv_poll_start");
    }
  } else {
    close(s->out_fd);
    free(s);
    return throw_errno(env, -rc, "uv_poll_init");
  }
  napi_create_reference(env, argv[4], 1, &s->callback);
  napi_value name;
  napi_create_string_utf8(env, "tributary.sendfile", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->async);
  s->refs = 2;
  napi_value handle;
  napi_create_external(env, s, finalize_handle, NULL, &handle);
  return handle;
}

static napi_value Cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void* data = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "cancel(handle)");
    return NULL;
  }
  Send* s = (Send*)data;
  s->canceled = 1; // also when it is already finishing: the callback must not run after cancel
  if (!s->finishing) finish(s);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "send", NAPI_AUTO_LENGTH, Send_, NULL, &fn);
  napi_set_named_property(env, exports, "send", fn);
  napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, Cancel, NULL, &fn);
  napi_set_named_property(env, exports, "cancel", fn);
  return exports;
}
