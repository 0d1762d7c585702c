#pragma once
// Checkpoint serialisation: one visitor, StateIo, both writes and reads, so a class lists its
// state once and saving and loading cannot disagree:
//   void checkpoint(StateIo& io) { io(day_, units_, requests_, rng_); }
// Plain values and trivially copyable structs are copied as bytes (never a struct holding a
// pointer: its address means nothing in the next process); strings and standard containers
// element by element; a class with a checkpoint(StateIo&) member through it. Objects shared by
// several owners (std::shared_ptr) are written once, at their first owner (shared()).
// Loading fills objects that already exist: the engine builds the world from the scenario as for
// a fresh run, then loads every changing member over it. The format is compact native binary,
// versioned by the checkpoint file (sim/engine/checkpoint.hpp), and read back by the same build only.
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace stampede {

// A checkpoint that cannot be read back into this world: damaged, or written by other code.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateIo;

template <class T>
concept HasCheckpoint = requires(T& t, StateIo& io) { t.checkpoint(io); };

class StateIo {
 public:
  // Saving: appends to `out`.
  explicit StateIo(std::vector<char>& out) : out_(&out) {}
  // Loading: reads [data, data + size).
  StateIo(const char* data, std::size_t size) : in_(data), end_(data + size) {}

  bool saving() const { return out_ != nullptr; }
  bool loading() const { return out_ == nullptr; }
  // Bytes not read yet (loading).
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - in_); }

  template <class... T>
  void operator()(T&... v) {
    (field(v), ...);
  }

  // A marker: loading checks it is where saving put it, so a member list that differs between
  // the two (or a damaged file) is reported at the first section it breaks, by name.
  void tag(std::string_view name) {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
    std::uint64_t got = h;
    field(got);
    if (got != h) throw CheckpointError("checkpoint out of step at '" + std::string(name) + "'");
  }

  // A section written by `f` with its length in front: loading checks `f` reads exactly what was
  // written, so a member list that differs between saving and loading is named by `what`.
  template <class F>
  void framed(const std::string& what, F&& f) {
    std::uint64_t n = 0;
    if (saving()) {
      const std::size_t at = out_->size();
      field(n);
      f();
      n = out_->size() - at - sizeof n;
      std::memcpy(out_->data() + at, &n, sizeof n);
      return;
    }
    field(n);
    if (n > remaining()) throw CheckpointError("checkpoint ends inside " + what);
    const char* start = in_;
    f();
    if (in_ != start + n)
      throw CheckpointError(what + " read " + std::to_string(in_ - start) + " of its " +
                            std::to_string(n) + " checkpoint bytes: its checkpoint() lists other members than when saved");
  }

  // An object several owners share: written (and read) at its first owner only; later owners
  // must share it in the loading world too.
  template <class T>
  void shared(const std::shared_ptr<T>& p) {
    const void* key = p.get();
    std::uint32_t id = 0;
    if (saving()) {
      auto [it, fresh] = shared_ids_.emplace(key, static_cast<std::uint32_t>(shared_ids_.size()));
      id = it->second;
      field(id);
      if (fresh) field(*p);
      return;
    }
    field(id);
    if (id == shared_seen_.size()) {
      shared_seen_.push_back(key);
      field(*const_cast<std::remove_const_t<T>*>(p.get()));
    } else if (id > shared_seen_.size() || shared_seen_[id] != key) {
      throw CheckpointError("checkpoint shares an object between other owners than this world does");
    }
  }

  void bytes(void* p, std::size_t n) {
    if (n == 0) return;   // an empty container's data() may be null, which memcpy must not see
    if (saving()) {
      const char* c = static_cast<const char*>(p);
      out_->insert(out_->end(), c, c + n);
      return;
    }
    if (remaining() < n) throw CheckpointError("checkpoint ends early");
    std::memcpy(p, in_, n);
    in_ += n;
  }

  std::uint64_t size(std::size_t n = 0) {
    std::uint64_t s = n;
    field(s);
    if (loading() && s > remaining() + 1) throw CheckpointError("checkpoint holds a container larger than itself");
    return s;
  }

  template <class T>
  void field(T& v) {
    if constexpr (HasCheckpoint<T>) {
      v.checkpoint(*this);
    } else {
      static_assert(std::is_trivially_copyable_v<T> && !std::is_pointer_v<T>,
                    "give this type a checkpoint(StateIo&) member, or an overload of field()");
      bytes(&v, sizeof v);
    }
  }
  void field(std::string& s) {
    const auto n = size(s.size());
    if (loading()) s.resize(n);
    bytes(s.data(), n);
  }
  template <class T, class A>
  void field(std::vector<T, A>& v) {
    const auto n = size(v.size());
    if constexpr (std::is_same_v<T, bool>) {
      if (loading()) v.assign(n, false);
      for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t b = v[i];
        field(b);
        v[i] = b != 0;
      }
    } else {
      if (loading()) v.resize(n);
      if constexpr (std::is_trivially_copyable_v<T> && !HasCheckpoint<T>)
        bytes(v.data(), n * sizeof(T));
      else
        for (auto& x : v) field(x);
    }
  }
  template <class T, std::size_t N>
  void field(std::array<T, N>& a) {
    if constexpr (std::is_trivially_copyable_v<T> && !HasCheckpoint<T>)
      bytes(a.data(), sizeof a);
    else
      for (auto& x : a) field(x);
  }
  template <class T>
  void field(std::deque<T>& d) {
    const auto n = size(d.size());
    if (loading()) d.resize(n);
    for (auto& x : d) field(x);
  }
  template <class A, class B>
  void field(std::pair<A, B>& p) {
    field(p.first);
    field(p.second);
  }
  template <class T>
  void field(std::optional<T>& o) {
    std::uint8_t has = o.has_value();
    field(has);
    if (loading()) {
      if (has) o.emplace(); else o.reset();
    }
    if (has) field(*o);
  }
  template <class K, class V, class C, class A>
  void field(std::map<K, V, C, A>& m) {
    const auto n = size(m.size());
    if (saving()) {
      for (auto& [k, v] : m) {
        K key = k;
        field(key);
        field(v);
      }
      return;
    }
    m.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      std::pair<K, V> kv;
      field(kv);
      m.emplace_hint(m.end(), std::move(kv));
    }
  }
  template <class K, class C, class A>
  void field(std::set<K, C, A>& s) {
    const auto n = size(s.size());
    if (saving()) {
      for (K k : s) field(k);
      return;
    }
    s.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      K k{};
      field(k);
      s.insert(s.end(), std::move(k));
    }
  }

 private:
  std::vector<char>* out_ = nullptr;
  const char* in_ = nullptr;
  const char* end_ = nullptr;
  std::unordered_map<const void*, std::uint32_t> shared_ids_;
  std::vector<const void*> shared_seen_;
};

}  // namespace stampede
