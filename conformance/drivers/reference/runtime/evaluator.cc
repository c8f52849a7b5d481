#include "conformance/drivers/reference/runtime/evaluator.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "conformance/drivers/reference/runtime/bindings.h"
#include "conformance/drivers/reference/runtime/conversions.h"
#include "conformance/drivers/reference/runtime/errors.h"
#include "impl/error.h"
#include "conformance/language/ast.h"

namespace sockref::conformance::reference {
namespace {

using bindings_internal::IterableItems;

// kMaxRepeat bounds sequence repetition (b"x" * n); beyond it the driver reports MemoryError
// as Python would once the allocation fails.
constexpr std::size_t kMaxRepeat = std::size_t(1) << 32;

bool IsNumber(const Ref& x) { return IndexValue(x).has_value() || x->kind() == Kind::kFloat; }

double AsDouble(const Ref& x) {
  if (auto* f = As<FloatObject>(x)) return f->value;
  return static_cast<double>(*IndexValue(x));
}

[[noreturn]] void Unsupported128() {
  throw Unsupported("the reference driver holds ints of at most 127 bits");
}

std::vector<std::size_t> CodePointStarts(const std::string& utf8) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    if ((static_cast<unsigned char>(utf8[i]) & 0xc0) != 0x80) starts.push_back(i);
  }
  return starts;
}

// SequenceSize returns len() of the sliceable kinds, in items.
std::size_t SequenceSize(const Ref& obj) {
  switch (obj->kind()) {
    case Kind::kTuple:
      return As<TupleObject>(obj)->items.size();
    case Kind::kList:
      return As<ListObject>(obj)->items.size();
    case Kind::kStr:
      return CodePointStarts(As<StrObject>(obj)->utf8).size();
    case Kind::kArray: {
      auto* a = As<ArrayObject>(obj);
      return a->data.size() / ArrayObject::ItemSize(a->typecode);
    }
    case Kind::kMemoryView: {
      auto* v = As<MemoryViewObject>(obj);
      return v->length / v->itemsize;
    }
    default:
      return GetBuffer(obj)->size;
  }
}

// ItemAt returns obj[i] for 0 <= i < SequenceSize(obj).
Ref ItemAt(const Ref& obj, std::size_t i) {
  switch (obj->kind()) {
    case Kind::kTuple:
      return As<TupleObject>(obj)->items[i];
    case Kind::kList:
      return As<ListObject>(obj)->items[i];
    case Kind::kStr: {
      const std::string& s = As<StrObject>(obj)->utf8;
      const std::vector<std::size_t> starts = CodePointStarts(s);
      const std::size_t end = i + 1 < starts.size() ? starts[i + 1] : s.size();
      return Str(s.substr(starts[i], end - starts[i]));
    }
    case Kind::kArray:
    case Kind::kMemoryView:
      return (*IterableItems(obj))[i];
    default:
      return Int(std::to_integer<int>(GetBuffer(obj)->data[i]));
  }
}

// IndexMessages are the messages each kind's subscript raises.
struct IndexMessages {
  std::string out_of_range;  // IndexError
  std::string bad_type;      // TypeError, for a non-int index
};

std::optional<IndexMessages> MessagesFor(const Ref& obj, const Ref& index) {
  const std::string t = index->TypeName();
  switch (obj->kind()) {
    case Kind::kTuple:
      return IndexMessages{"tuple index out of range",
                           "tuple indices must be integers or slices, not " + t};
    case Kind::kList:
      return IndexMessages{"list index out of range",
                           "list indices must be integers or slices, not " + t};
    case Kind::kStr:
      return IndexMessages{"string index out of range",
                           "string indices must be integers, not '" + t + "'"};
    case Kind::kBytes:
      return IndexMessages{"index out of range",
                           "byte indices must be integers or slices, not " + t};
    case Kind::kByteArray:
      return IndexMessages{"bytearray index out of range",
                           "bytearray indices must be integers or slices, not " + t};
    case Kind::kArray:
      return IndexMessages{"array index out of range", "array indices must be integers"};
    case Kind::kMemoryView:
      return IndexMessages{"index out of bounds on dimension 1", "memoryview: invalid slice key"};
    default:
      return std::nullopt;
  }
}

// SliceBound converts a slice bound as Python's slice indices (None is absent).
std::optional<std::int64_t> SliceBound(const Ref& bound) {
  if (!bound || bound->kind() == Kind::kNone) return std::nullopt;
  auto v = IndexValue(bound);
  if (!v) {
    throw TypeError("slice indices must be integers or None or have an __index__ method");
  }
  // Out-of-range bounds clamp, as _PyEval_SliceIndex does.
  constexpr PyInt kMin = std::numeric_limits<std::int64_t>::min();
  constexpr PyInt kMax = std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::clamp(*v, kMin, kMax));
}

// Concatenated returns the bytes of two buffers, copied once into the result (cases add
// megabyte buffers: `data + data`).
std::string Concatenated(const BufferView& left, const BufferView& right) {
  std::string out;
  out.reserve(left.size + right.size);
  out.append(reinterpret_cast<const char*>(left.data), left.size);
  out.append(reinterpret_cast<const char*>(right.data), right.size);
  return out;
}

// Repeated returns `times` copies of `s`: one fill for a single byte, else copies that double
// the filled prefix, so `b"x" * 10000000` costs a memset rather than ten million appends.
std::string Repeated(const std::string& s, std::size_t times) {
  if (s.size() == 1) return std::string(times, s[0]);
  const std::size_t total = s.size() * times;
  std::string out(total, '\0');
  if (total == 0) return out;
  std::memcpy(out.data(), s.data(), s.size());
  for (std::size_t filled = s.size(); filled < total;) {
    const std::size_t n = std::min(filled, total - filled);
    std::memcpy(out.data() + filled, out.data(), n);
    filled += n;
  }
  return out;
}

[[noreturn]] void UnsupportedOperands(const std::string& op, const Ref& left, const Ref& right) {
  throw TypeError("unsupported operand type(s) for " + op + ": '" + left->TypeName() + "' and '" +
                  right->TypeName() + "'");
}

Ref Add(const Ref& left, const Ref& right) {
  if (IndexValue(left) && IndexValue(right)) {
    PyInt sum;
    if (__builtin_add_overflow(*IndexValue(left), *IndexValue(right), &sum)) Unsupported128();
    return Int(sum);
  }
  if (IsNumber(left) && IsNumber(right)) return Float(AsDouble(left) + AsDouble(right));
  switch (left->kind()) {
    case Kind::kStr:
      if (auto* r = As<StrObject>(right)) return Str(As<StrObject>(left)->utf8 + r->utf8);
      throw TypeError("can only concatenate str (not \"" + right->TypeName() + "\") to str");
    case Kind::kBytes:
    case Kind::kByteArray:
      if (std::optional<BufferView> r = GetBuffer(right)) {
        std::string data = Concatenated(*GetBuffer(left), *r);
        return left->kind() == Kind::kBytes ? NewBytes(std::move(data))
                                            : NewByteArray(std::move(data));
      }
      throw TypeError("can't concat " + right->TypeName() + " to " + left->TypeName());
    case Kind::kTuple:
      if (auto* r = As<TupleObject>(right)) {
        std::vector<Ref> items = As<TupleObject>(left)->items;
        items.insert(items.end(), r->items.begin(), r->items.end());
        return NewTuple(std::move(items));
      }
      throw TypeError("can only concatenate tuple (not \"" + right->TypeName() + "\") to tuple");
    case Kind::kList:
      if (auto* r = As<ListObject>(right)) {
        std::vector<Ref> items = As<ListObject>(left)->items;
        items.insert(items.end(), r->items.begin(), r->items.end());
        return NewList(std::move(items));
      }
      throw TypeError("can only concatenate list (not \"" + right->TypeName() + "\") to list");
    case Kind::kArray:
      if (auto* r = As<ArrayObject>(right); r && r->typecode == As<ArrayObject>(left)->typecode) {
        return std::make_shared<ArrayObject>(r->typecode, As<ArrayObject>(left)->data + r->data);
      }
      break;
    default:
      break;
  }
  UnsupportedOperands("+", left, right);
}

// Repeat returns `sequence * count` for the sequence kinds.
std::optional<Ref> Repeat(const Ref& sequence, const Ref& count) {
  const Kind k = sequence->kind();
  if (k != Kind::kStr && k != Kind::kBytes && k != Kind::kByteArray && k != Kind::kTuple &&
      k != Kind::kList && k != Kind::kArray) {
    return std::nullopt;
  }
  const std::optional<PyInt> n = IndexValue(count);
  if (!n) {
    throw TypeError("can't multiply sequence by non-int of type '" + count->TypeName() + "'");
  }
  if (*n > std::numeric_limits<std::int64_t>::max()) {
    throw OverflowError("cannot fit 'int' into an index-sized integer");
  }
  const std::size_t times = *n < 0 ? 0 : static_cast<std::size_t>(*n);
  auto repeat_string = [&](const std::string& s) {
    if (!s.empty() && times > kMaxRepeat / s.size()) throw std::bad_alloc();
    return Repeated(s, times);
  };
  auto repeat_items = [&](const std::vector<Ref>& items) {
    if (!items.empty() && times > kMaxRepeat / items.size() / sizeof(Ref)) throw std::bad_alloc();
    std::vector<Ref> out;
    for (std::size_t i = 0; i < times; ++i) out.insert(out.end(), items.begin(), items.end());
    return out;
  };
  switch (k) {
    case Kind::kStr:
      return Str(repeat_string(As<StrObject>(sequence)->utf8));
    case Kind::kBytes:
      return NewBytes(repeat_string(As<BytesObject>(sequence)->data));
    case Kind::kByteArray:
      return NewByteArray(repeat_string(As<ByteArrayObject>(sequence)->data));
    case Kind::kArray: {
      auto* a = As<ArrayObject>(sequence);
      return std::make_shared<ArrayObject>(a->typecode, repeat_string(a->data));
    }
    case Kind::kTuple:
      return NewTuple(repeat_items(As<TupleObject>(sequence)->items));
    default:
      return NewList(repeat_items(As<ListObject>(sequence)->items));
  }
}

Ref Multiply(const Ref& left, const Ref& right) {
  if (IndexValue(left) && IndexValue(right)) {
    PyInt product;
    if (__builtin_mul_overflow(*IndexValue(left), *IndexValue(right), &product)) Unsupported128();
    return Int(product);
  }
  if (IsNumber(left) && IsNumber(right)) return Float(AsDouble(left) * AsDouble(right));
  if (auto r = Repeat(left, right)) return *r;
  if (IndexValue(left) || left->kind() == Kind::kFloat) {
    if (auto r = Repeat(right, left)) return *r;
  }
  UnsupportedOperands("*", left, right);
}

std::vector<Ref> Unpack(const Ref& value, std::size_t count) {
  const std::optional<std::vector<Ref>> items = IterableItems(value);
  if (!items) throw TypeError("cannot unpack non-iterable " + value->TypeName() + " object");
  if (items->size() < count) {
    throw ValueError("not enough values to unpack (expected " + std::to_string(count) + ", got " +
                     std::to_string(items->size()) + ")");
  }
  if (items->size() > count) {
    throw ValueError("too many values to unpack (expected " + std::to_string(count) + ")");
  }
  return *items;
}

}  // namespace

Ref Subscript(const Ref& obj, const Ref& index) {
  const std::optional<IndexMessages> messages = MessagesFor(obj, index);
  if (!messages) throw TypeError("'" + obj->TypeName() + "' object is not subscriptable");
  const std::optional<PyInt> i = IndexValue(index);
  if (!i) throw TypeError(messages->bad_type);
  if (*i < std::numeric_limits<std::int64_t>::min() ||
      *i > std::numeric_limits<std::int64_t>::max()) {
    throw PyException("IndexError", "cannot fit 'int' into an index-sized integer");
  }
  const auto size = static_cast<std::int64_t>(SequenceSize(obj));
  std::int64_t position = static_cast<std::int64_t>(*i);
  if (position < 0) position += size;
  if (position < 0 || position >= size) throw PyException("IndexError", messages->out_of_range);
  return ItemAt(obj, static_cast<std::size_t>(position));
}

Ref Slice(const Ref& obj, const Ref& lower, const Ref& upper) {
  if (!MessagesFor(obj, None())) {
    throw TypeError("'" + obj->TypeName() + "' object is not subscriptable");
  }
  const auto size = static_cast<std::int64_t>(SequenceSize(obj));
  auto clamp = [size](std::optional<std::int64_t> bound, std::int64_t absent) {
    if (!bound) return absent;
    std::int64_t b = *bound;
    if (b < 0) b = std::max<std::int64_t>(b + size, 0);
    return std::min(b, size);
  };
  const std::optional<std::int64_t> lo_bound = SliceBound(lower);
  const std::optional<std::int64_t> hi_bound = SliceBound(upper);
  const std::int64_t lo = clamp(lo_bound, 0);
  const std::int64_t hi = std::max(clamp(hi_bound, size), lo);
  const auto start = static_cast<std::size_t>(lo);
  const auto count = static_cast<std::size_t>(hi - lo);
  switch (obj->kind()) {
    case Kind::kTuple: {
      const auto& items = As<TupleObject>(obj)->items;
      return NewTuple({items.begin() + lo, items.begin() + hi});
    }
    case Kind::kList: {
      const auto& items = As<ListObject>(obj)->items;
      return NewList({items.begin() + lo, items.begin() + hi});
    }
    case Kind::kStr: {
      const std::string& s = As<StrObject>(obj)->utf8;
      const std::vector<std::size_t> starts = CodePointStarts(s);
      const std::size_t from = start < starts.size() ? starts[start] : s.size();
      const std::size_t to = start + count < starts.size() ? starts[start + count] : s.size();
      return Str(s.substr(from, to - from));
    }
    case Kind::kBytes:
      return NewBytes(As<BytesObject>(obj)->data.substr(start, count));
    case Kind::kByteArray:
      return NewByteArray(As<ByteArrayObject>(obj)->data.substr(start, count));
    case Kind::kArray: {
      auto* a = As<ArrayObject>(obj);
      const std::size_t size_of = ArrayObject::ItemSize(a->typecode);
      return std::make_shared<ArrayObject>(a->typecode,
                                           a->data.substr(start * size_of, count * size_of));
    }
    default: {
      // A memoryview slice is a view of the same memory: recv_into(view[2:5]) writes into
      // the bytearray the view came from.
      auto* v = As<MemoryViewObject>(obj);
      return std::make_shared<MemoryViewObject>(v->base, v->offset + start * v->itemsize,
                                                count * v->itemsize, v->itemsize, v->format,
                                                v->readonly);
    }
  }
}

Ref BinaryOp(const std::string& op, const Ref& left, const Ref& right) {
  if (op == "+") return Add(left, right);
  if (op == "*") return Multiply(left, right);
  throw Unsupported("operator " + op);
}

Ref Negate(const Ref& operand) {
  if (auto v = IndexValue(operand)) {
    if (*v == std::numeric_limits<PyInt>::min()) Unsupported128();
    return Int(-*v);
  }
  if (auto* f = As<FloatObject>(operand)) return Float(-f->value);
  throw TypeError("bad operand type for unary -: '" + operand->TypeName() + "'");
}

Ref Evaluate(Session& session, const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kLiteral:
      return FromValue(expr.literal);
    case ExprKind::kName: {
      if (auto v = session.Lookup(expr.name)) return *v;
      if (expr.name == "tmpdir") return Str(session.TmpDir());
      if (auto b = LookupBuiltin(expr.name)) return *b;
      if (expr.name == "socket") return SocketModule();
      throw PyException("NameError", "name '" + expr.name + "' is not defined");
    }
    case ExprKind::kAttr:
      return GetAttribute(Evaluate(session, expr.operands.at(0)), expr.name);
    case ExprKind::kCall: {
      // Python's order: the callee, then the arguments left to right, keywords last.
      Ref callee = Evaluate(session, expr.operands.at(0));
      CallArgs args;
      const std::size_t n = expr.operands.size();
      const std::size_t positional_end = n - expr.keyword_names.size();
      for (std::size_t i = 1; i < positional_end; ++i) {
        args.positional.push_back(Evaluate(session, expr.operands[i]));
      }
      for (std::size_t i = positional_end; i < n; ++i) {
        args.keywords.emplace_back(expr.keyword_names[i - positional_end],
                                   Evaluate(session, expr.operands[i]));
      }
      return CallObject(session, callee, args);
    }
    case ExprKind::kTuple:
    case ExprKind::kList: {
      std::vector<Ref> items;
      for (const Expr& e : expr.operands) items.push_back(Evaluate(session, e));
      return expr.kind == ExprKind::kTuple ? NewTuple(std::move(items)) : NewList(std::move(items));
    }
    case ExprKind::kIndex: {
      Ref obj = Evaluate(session, expr.operands.at(0));
      return Subscript(obj, Evaluate(session, expr.operands.at(1)));
    }
    case ExprKind::kSlice: {
      Ref obj = Evaluate(session, expr.operands.at(0));
      Ref lower = expr.operands.at(1).kind == ExprKind::kOmitted
                      ? nullptr
                      : Evaluate(session, expr.operands[1]);
      Ref upper = expr.operands.at(2).kind == ExprKind::kOmitted
                      ? nullptr
                      : Evaluate(session, expr.operands[2]);
      return Slice(obj, lower, upper);
    }
    case ExprKind::kBinOp: {
      Ref left = Evaluate(session, expr.operands.at(0));
      return BinaryOp(expr.name, left, Evaluate(session, expr.operands.at(1)));
    }
    case ExprKind::kNeg:
      return Negate(Evaluate(session, expr.operands.at(0)));
    case ExprKind::kOmitted:
      break;
  }
  throw Unsupported("an omitted expression outside a slice");
}

Ref Execute(Session& session, const Statement& statement) {
  Ref value = Evaluate(session, statement.expr);
  if (statement.targets.size() == 1) {
    session.Assign(statement.targets[0], value);
  } else if (!statement.targets.empty()) {
    const std::vector<Ref> items = Unpack(value, statement.targets.size());
    for (std::size_t i = 0; i < items.size(); ++i) session.Assign(statement.targets[i], items[i]);
  }
  return value;
}

}  // namespace sockref::conformance::reference
