// socket_messages.cc: the socket methods that carry ancillary data: sendmsg, recvmsg,
// recvmsg_into and sendmsg_afalg, with CPython's argument parsing.
#include <climits>
#include <new>
#include <string>
#include <vector>
#include "impl/error.h"
#include "python/binding.h"

namespace sockref::python {
namespace {

// Buffers holds the Py_buffers of one sendmsg/recvmsg_into call and releases them.
class Buffers {
 public:
  Buffers() = default;
  Buffers(const Buffers&) = delete;
  Buffers& operator=(const Buffers&) = delete;
  ~Buffers() {
    for (Py_buffer& b : views_) PyBuffer_Release(&b);
  }
  // Add parses `item` with `format` ("y*;..." or "w*;...").
  bool Add(PyObject* item, const char* format) {
    Py_buffer view;
    if (!PyArg_Parse(item, format, &view)) return false;
    views_.push_back(view);
    return true;
  }
  std::vector<ConstBuffer> Const() const {
    std::vector<ConstBuffer> out;
    for (const Py_buffer& b : views_) out.push_back(ConstView(b));
    return out;
  }
  std::vector<MutableBuffer> Mutable() const {
    std::vector<MutableBuffer> out;
    for (const Py_buffer& b : views_) out.push_back(MutableView(b));
    return out;
  }

 private:
  std::vector<Py_buffer> views_;
};

// FillBuffers parses every item of the iterable `obj` into `out`, with CPython's
// messages for what is not an iterable, too long, or not a buffer.
bool FillBuffers(PyObject* obj, const char* not_iterable, const char* too_long,
                 const char* item_format, Buffers* out) {
  PyObject* fast = PySequence_Fast(obj, not_iterable);
  if (fast == nullptr) return false;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  bool ok = true;
  if (n > INT_MAX) {
    PyErr_SetString(PyExc_OSError, too_long);
    ok = false;
  }
  for (Py_ssize_t i = 0; ok && i < n; ++i) {
    ok = out->Add(PySequence_Fast_GET_ITEM(fast, i), item_format);
  }
  Py_DECREF(fast);
  return ok;
}

// ParseAncillary parses sendmsg()'s second argument: (level, type, data) items.
bool ParseAncillary(PyObject* obj, std::vector<AncillaryItem>* out) {
  if (obj == nullptr) return true;
  PyObject* fast = PySequence_Fast(obj, "sendmsg() argument 2 must be an iterable");
  if (fast == nullptr) return false;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  bool ok = true;
  for (Py_ssize_t i = 0; ok && i < n; ++i) {
    AncillaryItem item;
    ScopedBuffer data;
    ok = PyArg_Parse(PySequence_Fast_GET_ITEM(fast, i), "(iiy*):[sendmsg() ancillary data items]",
                     &item.level, &item.type, data.get());
    if (ok) {
      item.data.assign(static_cast<const char*>((*data).buf), static_cast<std::size_t>((*data).len));
      out->push_back(std::move(item));
    }
  }
  Py_DECREF(fast);
  return ok;
}

PyObject* AncillaryToPython(const std::vector<AncillaryItem>& items) {
  PyObject* list = PyList_New(0);
  if (list == nullptr) return nullptr;
  for (const AncillaryItem& item : items) {
    PyObject* tuple = Py_BuildValue("(iiy#)", item.level, item.type, item.data.data(),
                                    static_cast<Py_ssize_t>(item.data.size()));
    if (tuple == nullptr || PyList_Append(list, tuple) != 0) {
      Py_XDECREF(tuple);
      Py_DECREF(list);
      return nullptr;
    }
    Py_DECREF(tuple);
  }
  return list;
}

// CloseDescriptors closes the SCM_RIGHTS descriptors of a result Python never saw.
void CloseDescriptors(const std::vector<AncillaryItem>& items) {
  for (int fd : UnpackFds(items)) {
    try {
      sockref::close(fd);
    } catch (...) {
    }
  }
}

}  // namespace

PyObject* SendMsg(PyObject* obj, PyObject* args) {
  PyObject* data_arg = nullptr;
  PyObject* anc_arg = nullptr;
  int flags = 0;
  PyObject* address_arg = nullptr;
  if (!PyArg_ParseTuple(args, "O|OiO:sendmsg", &data_arg, &anc_arg, &flags, &address_arg)) {
    return nullptr;
  }
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    std::optional<Address> address;
    if (address_arg != nullptr && address_arg != Py_None) {
      address.emplace();
      if (!ParseAddress(address_arg, Kind(s), "sendmsg", &*address)) return nullptr;
      if (PySys_Audit("socket.sendmsg", "OO", obj, address_arg) < 0) return nullptr;
    }
    Buffers buffers;
    if (!FillBuffers(data_arg, "sendmsg() argument 1 must be an iterable",
                     "sendmsg() argument 1 is too long",
                     "y*;sendmsg() argument 1 must be an iterable of bytes-like objects",
                     &buffers)) {
      return nullptr;
    }
    std::vector<AncillaryItem> ancdata;
    if (!ParseAncillary(anc_arg, &ancdata)) return nullptr;
    const std::vector<ConstBuffer> views = buffers.Const();
    const std::int64_t n =
        WithoutGil([&] { return s.sendmsg(views, ancdata, flags, address); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  });
}

// RecvMsgTuple builds (first, ancdata, msg_flags, address), closing any received
// descriptors if the tuple cannot be built.
template <typename Result>
PyObject* RecvMsgTuple(PyObject* first, const Result& r) {
  PyObject* anc = first != nullptr ? AncillaryToPython(r.ancdata) : nullptr;
  PyObject* address = anc != nullptr ? AddressToPython(r.address) : nullptr;
  PyObject* result = nullptr;
  if (address != nullptr) result = Py_BuildValue("(OOiO)", first, anc, r.msg_flags, address);
  Py_XDECREF(first);
  Py_XDECREF(anc);
  Py_XDECREF(address);
  if (result == nullptr) CloseDescriptors(r.ancdata);
  return result;
}

PyObject* RecvMsg(PyObject* obj, PyObject* args) {
  Py_ssize_t bufsize = 0;
  Py_ssize_t ancbufsize = 0;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "n|ni:recvmsg", &bufsize, &ancbufsize, &flags)) return nullptr;
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    RecvMsgResult r = WithoutGil([&] { return s.recvmsg(bufsize, ancbufsize, flags); });
    return RecvMsgTuple(BytesFrom(r.data), r);
  });
}

PyObject* RecvMsgInto(PyObject* obj, PyObject* args) {
  PyObject* buffers_arg = nullptr;
  Py_ssize_t ancbufsize = 0;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "O|ni:recvmsg_into", &buffers_arg, &ancbufsize, &flags)) {
    return nullptr;
  }
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    Buffers buffers;
    if (!FillBuffers(buffers_arg, "recvmsg_into() argument 1 must be an iterable",
                     "recvmsg_into() argument 1 is too long",
                     "w*;recvmsg_into() argument 1 must be an iterable of single-segment "
                     "read-write buffers",
                     &buffers)) {
      return nullptr;
    }
    const std::vector<MutableBuffer> views = buffers.Mutable();
    RecvMsgIntoResult r = WithoutGil([&] { return s.recvmsg_into(views, ancbufsize, flags); });
    return RecvMsgTuple(PyLong_FromSsize_t(static_cast<Py_ssize_t>(r.nbytes)), r);
  });
}

// SendMsgAfalg is sendmsg_afalg(msg=(), *, op, iv=None, assoclen=None, flags=0):
// op and assoclen are read as C ints; sockref checks their values.
PyObject* SendMsgAfalg(PyObject* obj, PyObject* args, PyObject* kwds) {
  static const char* keywords[] = {"msg", "op", "iv", "assoclen", "flags", nullptr};
  PyObject* data_arg = nullptr;
  PyObject* op_arg = nullptr;
  ScopedBuffer iv;
  PyObject* assoclen_arg = nullptr;
  int flags = 0;
  try {
    Sock(obj).CheckAfalgFamily();  // before the arguments, as CPython
  } catch (...) {
    return RaiseCurrentException();
  }
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$Oy*Oi:sendmsg_afalg",
                                   const_cast<char**>(keywords), &data_arg, &op_arg, iv.get(),
                                   &assoclen_arg, &flags)) {
    return nullptr;
  }
  int op = -1;  // missing: sockref raises "Invalid or missing argument 'op'"
  if (op_arg != nullptr && !IntArg(op_arg, &op)) return nullptr;
  std::optional<std::int64_t> assoclen;
  if (assoclen_arg != nullptr) {
    int value = 0;
    if (!IntArg(assoclen_arg, &value)) return nullptr;
    assoclen = value;
  }
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    Buffers buffers;
    if (data_arg != nullptr &&
        !FillBuffers(data_arg, "sendmsg() argument 1 must be an iterable",
                     "sendmsg() argument 1 is too long",
                     "y*;sendmsg() argument 1 must be an iterable of bytes-like objects",
                     &buffers)) {
      return nullptr;
    }
    std::optional<ConstBuffer> iv_view;
    if ((*iv).obj != nullptr) iv_view = ConstView(*iv);
    const std::vector<ConstBuffer> views = buffers.Const();
    const std::int64_t n =
        WithoutGil([&] { return s.sendmsg_afalg(views, op, iv_view, assoclen, flags); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  });
}

}  // namespace sockref::python
