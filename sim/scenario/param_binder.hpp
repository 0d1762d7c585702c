#pragma once
// One declaration per scenario key. A section's keys are bound to the members of a plain struct:
//
//   ParamBinder<DmaSection> b{"dma"};
//   b.bind(&DmaSection::accounts, "accounts", 0, 1000000, "accounts", "number of DMA accounts");
//
// declares the key "dma.accounts" once: its ParamSpec (the type deduced from the member, the
// default read from a default-constructed DmaSection, the range, unit and doc) and how load()
// fills that member from a parsed Scenario. The struct's initialisers are therefore the defaults
// users see in `stampede check` and docs/scenario.md, and a key cannot be declared without being
// loaded (or loaded under a misspelt name). Validation (types, ranges, the wording of every
// error) stays in Scenario::parse, which only sees the specs.
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace stampede {

// path(&Outer::part, &Part::field) reaches a member of a member, for keys whose value lives in a
// struct nested in the section's (e.g. an agent's own params inside its section struct).
template <class First, class... Rest>
auto path(First first, Rest... rest) {
  return [=](auto& object) -> auto& {
    auto& next = std::invoke(first, object);
    if constexpr (sizeof...(Rest) == 0)
      return next;
    else
      return std::invoke(path(rest...), next);
  };
}

namespace binder_detail {

// The scenario type a member of type T is read as; a member type with no scenario type does not
// compile (float, say, would silently round what the user wrote).
template <class T>
constexpr ParamType param_type_of() {
  if constexpr (std::same_as<T, bool>)
    return ParamType::Bool;
  else if constexpr (std::integral<T>)
    return ParamType::Int;
  else if constexpr (std::same_as<T, double>)
    return ParamType::Float;
  else if constexpr (std::same_as<T, std::string>)
    return ParamType::String;
  else if constexpr (std::same_as<T, std::vector<std::string>>)
    return ParamType::DateList;
  else
    static_assert(sizeof(T) == 0, "a scenario key binds to bool, an integer type, double, std::string or a date list");
}

template <class T>
ParamValue to_value(const T& v) {
  if constexpr (std::same_as<T, bool> || std::same_as<T, double> || std::same_as<T, std::string> ||
                std::same_as<T, std::vector<std::string>>)
    return ParamValue{v};
  else
    return ParamValue{static_cast<std::int64_t>(v)};
}

template <class T>
T read(const Scenario& s, const std::string& key) {
  if constexpr (std::same_as<T, bool>)
    return s.get_bool(key);
  else if constexpr (std::integral<T>)
    return static_cast<T>(s.get_int(key));   // the range was checked to fit T when bound
  else if constexpr (std::same_as<T, double>)
    return s.get_float(key);
  else if constexpr (std::same_as<T, std::string>)
    return s.get_string(key);
  else
    return s.get_list(key);
}

template <class Params, class Access>
using member_t = std::remove_cvref_t<std::invoke_result_t<Access&, Params&>>;

}  // namespace binder_detail

template <class Params>
class ParamBinder {
 public:
  // `section` prefixes every key ("dma" gives "dma.accounts"); "" binds top-level keys.
  explicit ParamBinder(std::string section) : section_(std::move(section)) {}

  // A number: `lo`..`hi` inclusive (in the member's integer range for an integer member).
  template <class Access>
  ParamBinder& bind(Access access, std::string_view key, double lo, double hi, std::string unit, std::string doc) {
    using T = binder_detail::member_t<Params, Access>;
    static_assert((std::integral<T> && !std::same_as<T, bool>) || std::same_as<T, double>,
                  "a range is for numbers; bind a bool or string without one");
    if constexpr (std::integral<T>)
      if (lo < static_cast<double>(std::numeric_limits<T>::min()) ||
          hi > static_cast<double>(std::numeric_limits<T>::max()))
        throw std::logic_error("ParamBinder: key '" + full_key(key) +
                               "': range does not fit the member's integer type");
    return add<T>(access, key, lo, hi, std::move(unit), std::move(doc));
  }

  // A bool, string or date list: no range.
  template <class Access>
  ParamBinder& bind(Access access, std::string_view key, std::string unit, std::string doc) {
    using T = binder_detail::member_t<Params, Access>;
    static_assert(!std::integral<T> || std::same_as<T, bool>,
                  "a number needs its range: bind(access, key, lo, hi, unit, doc)");
    static_assert(!std::same_as<T, double>, "a number needs its range: bind(access, key, lo, hi, unit, doc)");
    constexpr double inf = std::numeric_limits<double>::infinity();
    return add<T>(access, key, -inf, inf, std::move(unit), std::move(doc));
  }

  // Every key of `part` (a binder of the same section over a struct nested in Params), at this
  // point of the key order; its defaults are read from Params' own initialiser of the part.
  template <class Access, class Part>
  ParamBinder& include(Access access, const ParamBinder<Part>& part) {
    for (const auto& b : part.bindings_) {
      Binding mine{b.spec, nullptr, nullptr};
      mine.spec.default_value = b.default_of(std::invoke(access, defaults()));
      mine.load = [access, load = b.load](const Scenario& s, Params& p) { load(s, std::invoke(access, p)); };
      mine.default_of = [access, def = b.default_of](const Params& p) { return def(std::invoke(access, p)); };
      bindings_.push_back(std::move(mine));
    }
    return *this;
  }

  // The last bound key's wording in docs/scenario.md, when its one-line doc (what `stampede
  // check` prints as a comment, and run logs keep) leaves out too much.
  ParamBinder& long_doc(std::string text) {
    if (bindings_.empty()) throw std::logic_error("ParamBinder::long_doc: no key bound yet");
    bindings_.back().spec.long_doc = std::move(text);
    return *this;
  }

  const std::string& section() const { return section_; }

  // The specs in binding order: the section's key order in `stampede check` and the docs.
  std::vector<ParamSpec> specs() const {
    std::vector<ParamSpec> out;
    out.reserve(bindings_.size());
    for (const auto& b : bindings_) out.push_back(b.spec);
    return out;
  }

  // Every bound member from `s`; members bound to no key keep their initialisers.
  Params load(const Scenario& s) const {
    Params p{};
    for (const auto& b : bindings_) b.load(s, p);
    return p;
  }

 private:
  template <class Other>
  friend class ParamBinder;

  struct Binding {
    ParamSpec spec;
    std::function<void(const Scenario&, Params&)> load;
    std::function<ParamValue(const Params&)> default_of;
  };

  static const Params& defaults() {
    static const Params d{};
    return d;
  }

  std::string full_key(std::string_view key) const {
    return section_.empty() ? std::string(key) : section_ + "." + std::string(key);
  }

  template <class T, class Access>
  ParamBinder& add(Access access, std::string_view key, double lo, double hi, std::string unit, std::string doc) {
    Binding b;
    b.spec = ParamSpec{full_key(key), binder_detail::param_type_of<T>(),
                       binder_detail::to_value(std::invoke(access, defaults())),
                       lo, hi, std::move(unit), std::move(doc)};
    b.load = [access, k = b.spec.key](const Scenario& s, Params& p) {
      std::invoke(access, p) = binder_detail::read<T>(s, k);
    };
    b.default_of = [access](const Params& p) { return binder_detail::to_value(std::invoke(access, p)); };
    bindings_.push_back(std::move(b));
    return *this;
  }

  std::string section_;
  std::vector<Binding> bindings_;
};

}  // namespace stampede
