// Agents written in Python (docs/python.md, "Python agents"): a class with decide(view) -> orders,
// declared under a scenario section and handed to stampede.run / Simulation / check as `agents=`.
// To the engine each is an Agent like any other: its own account, the same risk checks, T+1 and
// price limits, a row in /agents/daily. It decides in order (Agent::decides_in_order), taking the
// GIL around its own call only, so the rest of the step runs in parallel without it.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/builtin_agents.hpp"
#include "bindings.hpp"
#include "sim/core/rng.hpp"
#include "sim/engine/valuation.hpp"

namespace py = pybind11;

namespace stampede::python {

namespace {

// A Python object that may be copied and dropped on any thread: the last copy takes the GIL to
// let it go (simulations are built and destroyed with the GIL released). After the interpreter
// has shut down there is nothing to release it to, so it is left.
using SharedObject = std::shared_ptr<py::object>;
SharedObject share(py::object o) {
  return SharedObject(new py::object(std::move(o)), [](py::object* p) {
    if (!Py_IsInitialized()) return;
    py::gil_scoped_acquire gil;
    delete p;
  });
}

// A Python exception in one line: its type and message, and the innermost frame of its traceback
// (pybind11 words it "Type: message\n\nAt:\n  file(line): function\n  ...").
std::string one_line(const py::error_already_set& e) {
  const std::string what = e.what();
  std::string line = what.substr(0, what.find('\n'));
  constexpr std::string_view kAt = "\nAt:\n  ";
  const std::size_t at = what.find(kAt);
  if (at != std::string::npos) {
    const std::size_t from = at + kAt.size();
    line += " (at " + what.substr(from, what.find('\n', from) - from) + ")";
  }
  return line;
}

// What decide(view) reads: the step's snapshot of the market and the agent's own account. Valid
// during that call only (the engine's memory changes with the next step), so arrays are copies
// and a view kept past its call raises.
struct AgentView {
  const MarketView* view = nullptr;
  AccountId account = -1;

  const MarketView& market() const {
    if (view == nullptr) throw std::runtime_error("a Python agent's view is valid only during its decide() call");
    return *view;
  }
  const Account& own() const { return market().account(account); }
  InstrumentId instrument(int i) const {
    const MarketView& v = market();
    if (i < 0 || i >= v.stock_count + kFuturesSlots)
      throw py::index_error("instrument " + std::to_string(i) + ": stocks are 0.." + std::to_string(v.stock_count - 1) +
                            ", the futures " + std::to_string(v.stock_count) + " (front) and " +
                            std::to_string(v.stock_count + 1) + " (next)");
    return i;
  }
  std::size_t stock(int i) const {
    if (i < 0 || i >= market().stock_count)
      throw py::index_error("stock " + std::to_string(i) + ": stocks are 0.." +
                            std::to_string(market().stock_count - 1));
    return static_cast<std::size_t>(i);
  }
  // One field of every stock's quote, as an array.
  template <class T>
  py::array_t<T> stock_field(T InstrumentQuote::*field) const {
    const MarketView& v = market();
    py::array_t<T> out(v.stock_count);
    T* p = out.mutable_data();
    for (int i = 0; i < v.stock_count; ++i) p[i] = v.quote(i).*field;
    return out;
  }
};

// Order actions as stampede.Order carries them (python/stampede/agents.py names the same numbers).
enum Action : int { kBuy = 0, kSell = 1, kCancel = 2 };

class PythonAgent final : public Agent {
 public:
  PythonAgent(std::string kind, SharedObject object, AccountId account)
      : kind_(std::move(kind)), object_(std::move(object)), account_(account) {
    AgentView view;
    view.account = account;
    view_ = share(py::cast(view));
    view_data_ = view_->cast<AgentView*>();
  }
  const char* kind() const override { return kind_.c_str(); }
  bool decides_in_order() const override { return true; }

  void decide(const MarketView& view, OrderSink& out) override {
    py::gil_scoped_acquire gil;
    view_data_->view = &view;
    try {
      py::object orders = object_->attr("decide")(*view_);
      view_data_->view = nullptr;
      py::list sent;
      if (!orders.is_none())
        for (py::handle o : orders) sent.append(send(o, out));
      object_->attr("sent") = sent;
      read_state();
    } catch (const py::error_already_set& e) {
      view_data_->view = nullptr;
      throw std::runtime_error(where(view) + " raised " + one_line(e));
    } catch (const std::exception& e) {
      view_data_->view = nullptr;
      throw std::runtime_error(where(view) + ": " + e.what());
    }
  }

  // Its account marked at the last prices, less what the object says it owes (`debt`, fen).
  void report(const MarketView& view, ClassMetrics& into) const override {
    add_indebted_account(into, value_account(view, account_), static_cast<double>(debt_) / 100.0, state_);
  }
  bool reports_daily() const override { return true; }
  AgentDayRow day_row(const MarketView& view) const override {
    return indebted_day_row(value_account(view, account_), static_cast<double>(debt_) / 100.0, state_);
  }

  const py::object& object() const { return *object_; }
  // No checkpoint(): runs with Python agents take none (python_agents_take_no_checkpoints).

 private:
  std::string where(const MarketView& view) const {
    return "Python agent " + daily_agent_name(kind_, id()) + " (" +
           py::str(py::type::handle_of(*object_).attr("__qualname__")).cast<std::string>() + ").decide() on day " +
           std::to_string(view.day + 1) + ", step " + std::to_string(view.step_in_day);
  }

  // One order of decide()'s result (a stampede.Order) to the market; returns its id (a cancel:
  // the id it cancels).
  OrderId send(py::handle o, OrderSink& out) {
    if (!py::isinstance<py::tuple>(o) || py::len(o) != 5)
      throw std::invalid_argument("decide() returned " + py::repr(o).cast<std::string>() +
                                  " among its orders: give stampede.buy(...), sell(...) or cancel(...)");
    const auto t = py::reinterpret_borrow<py::tuple>(o);
    const int action = t[0].cast<int>();
    const auto instrument = static_cast<InstrumentId>(t[1].cast<int>());
    const auto reason = t[4].cast<int>();
    if (action < kBuy || action > kCancel || reason < 0 || reason >= kOrderReasonCount)
      throw std::invalid_argument("decide() returned " + py::repr(o).cast<std::string>() + ": not a stampede.Order");
    if (action == kCancel) {
      const auto target = t[2].cast<OrderId>();
      out.cancel(account_, instrument, target);
      return target;
    }
    const Side side = action == kBuy ? Side::Buy : Side::Sell;
    const auto qty = t[2].cast<Qty>();
    if (t[3].is_none()) return out.market(account_, instrument, side, qty, static_cast<OrderReason>(reason));
    const auto price = t[3].cast<long long>();
    if (price <= 0 || price > std::numeric_limits<Tick>::max())
      throw std::invalid_argument("decide() returned " + py::repr(o).cast<std::string>() +
                                  ": price must be a positive number of ticks (0.01 yuan) or None");
    return out.limit(account_, instrument, side, static_cast<Tick>(price), qty, static_cast<OrderReason>(reason));
  }

  // What the object says about itself after deciding: `debt` (fen owed outside the account) and
  // `state` (a name of agent_state_names()), for its daily row and class totals.
  void read_state() {
    const py::object debt = py::getattr(*object_, "debt", py::int_(0));
    if (py::isinstance<py::float_>(debt) && std::isfinite(debt.cast<double>()))
      debt_ = std::llround(debt.cast<double>());
    else if (py::isinstance<py::int_>(debt) || py::hasattr(debt, "__index__"))
      debt_ = debt.cast<Fen>();
    else
      throw std::invalid_argument("debt " + py::repr(debt).cast<std::string>() + " is not a number of fen");
    const std::string state = py::str(py::getattr(*object_, "state", py::str("normal")));
    const auto& names = agent_state_names();
    for (std::size_t k = 0; k < names.size(); ++k)
      if (names[k] == state) {
        state_ = static_cast<AgentState>(k);
        return;
      }
    std::string allowed;
    for (const auto& n : names) allowed += (allowed.empty() ? "" : ", ") + n;
    throw std::invalid_argument("state '" + state + "' is not one of " + allowed);
  }

  std::string kind_;
  SharedObject object_;   // the user's agent
  SharedObject view_;     // its AgentView, reused at every call
  AgentView* view_data_;
  AccountId account_;
  Fen debt_ = 0;
  AgentState state_ = AgentState::Normal;
};

ParamSpec param_spec(const std::string& section, const py::tuple& p) {
  ParamSpec s;
  s.key = section + "." + p[0].cast<std::string>();
  const std::string type = p[1].cast<std::string>();
  if (type == "int") {
    s.type = ParamType::Int;
    s.default_value = p[2].cast<std::int64_t>();
  } else if (type == "float") {
    s.type = ParamType::Float;
    s.default_value = p[2].cast<double>();
  } else if (type == "bool") {
    s.type = ParamType::Bool;
    s.default_value = p[2].cast<bool>();
  } else {
    s.type = ParamType::String;
    s.default_value = p[2].cast<std::string>();
  }
  if (!p[3].is_none()) s.min = p[3].cast<double>();
  if (!p[4].is_none()) s.max = p[4].cast<double>();
  s.unit = p[5].cast<std::string>();
  s.doc = p[6].cast<std::string>();
  return s;
}

py::object param_value(const Scenario& s, const ParamSpec& p) {
  switch (p.type) {
    case ParamType::Int: return py::int_(s.get_int(p.key));
    case ParamType::Float: return py::float_(s.get_float(p.key));
    case ParamType::Bool: return py::bool_(s.get_bool(p.key));
    default: return py::str(s.get_string(p.key));
  }
}

// One Python agent kind: (section, class, [(key, type, default, min, max, unit, doc)], factory,
// (label, doc)), as stampede.agents._kind_spec makes it. Its section's `count` agents each get an
// account with `cash` yuan and are made by factory(class, params, seed, index, agent id); their
// class (the section) is declared with that label and doc for /meta/agent_classes.
AgentKind python_kind(const py::handle& spec) {
  const auto t = spec.cast<py::tuple>();
  const std::string section = t[0].cast<std::string>();
  std::vector<ParamSpec> specs;
  for (py::handle p : t[2].cast<py::list>()) specs.push_back(param_spec(section, p.cast<py::tuple>()));
  // The class's name, label and doc: AgentClassInfo points into them, and populate keeps them alive.
  auto texts = std::make_shared<std::array<std::string, 3>>(std::array<std::string, 3>{section, section, ""});
  if (t.size() > 4) {
    const auto about = t[4].cast<py::tuple>();
    (*texts)[1] = about[0].cast<std::string>();
    (*texts)[2] = about[1].cast<std::string>();
  }
  auto populate = [section, specs, texts, cls = share(t[1]), factory = share(t[3])](const Scenario& s,
                                                                                    WorldSetup& setup) {
    const std::int64_t count = s.get_int(section + ".count");
    const auto cash = static_cast<Fen>(std::llround(s.get_float(section + ".cash") * 100.0));
    if (count == 0) return;
    py::gil_scoped_acquire gil;
    py::dict params;
    for (const ParamSpec& p : specs) params[py::str(p.key.substr(section.size() + 1))] = param_value(s, p);
    for (std::int64_t i = 0; i < count; ++i) {
      const AgentId id = setup.next_agent_id();
      const AccountId account = setup.open_account(id, cash);
      const std::uint64_t seed = stream_seed(setup.seed(), "python_agent." + section, static_cast<std::uint64_t>(i));
      try {
        py::object agent = (*factory)(*cls, params, seed, i, id);
        setup.add_agent(std::make_unique<PythonAgent>(section, share(std::move(agent)), account));
      } catch (const py::error_already_set& e) {
        throw std::runtime_error("Python agent section [" + section + "]: making agent " + std::to_string(i) +
                                 " raised " + one_line(e));
      }
    }
  };
  const AgentClassInfo info{(*texts)[0].c_str(), (*texts)[1].c_str(), (*texts)[2].c_str()};
  return AgentKind{section, std::move(specs), std::move(populate), {info}};
}

}   // namespace

py::object python_agent_object(const Agent& agent) {
  const auto* p = dynamic_cast<const PythonAgent*>(&agent);
  return p ? p->object() : py::none();
}

void python_agents_take_no_checkpoints(const py::object& kinds, RunOptions& options) {
  if (!kinds.is_none() && py::len(kinds) > 0) options.checkpoint_every_days = 0;
}

AgentRegistry registry_with(const py::object& kinds) {
  AgentRegistry r = builtin_agents();
  if (kinds.is_none()) return r;
  for (py::handle k : kinds) {
    AgentKind kind = python_kind(k);
    for (const ParamSpec& p : r.all_params())
      if (p.key == kind.section || p.key.starts_with(kind.section + "."))
        throw py::value_error("Python agent section '" + kind.section + "': the scenario already has " +
                              (p.key == kind.section ? "a key" : "a section") + " of that name");
    r.add(std::move(kind));
  }
  return r;
}

void bind_python_agents(py::module_& m) {
  py::class_<AgentView>(m, "AgentView", "What a Python agent's decide(view) reads (docs/python.md)")
      .def_property_readonly("step", [](const AgentView& a) { return a.market().step; })
      .def_property_readonly("day", [](const AgentView& a) { return a.market().day; })
      .def_property_readonly("step_in_day", [](const AgentView& a) { return a.market().step_in_day; })
      .def_property_readonly("phase",
                             [](const AgentView& a) {
                               return step_phase_names()[static_cast<std::size_t>(a.market().phase)];
                             })
      .def_property_readonly("days_total", [](const AgentView& a) { return a.market().days_total; })
      .def_property_readonly("stocks", [](const AgentView& a) { return a.market().stock_count; })
      .def("stock_name", [](const AgentView& a, int i) { return a.market().universe->name[a.stock(i)]; })
      .def("segment", [](const AgentView& a, int i) { return to_string(a.market().universe->segment[a.stock(i)]); })
      .def_property_readonly("last", [](const AgentView& a) { return a.stock_field(&InstrumentQuote::last); })
      .def_property_readonly("prev_close",
                             [](const AgentView& a) { return a.stock_field(&InstrumentQuote::reference); })
      .def_property_readonly("lower", [](const AgentView& a) { return a.stock_field(&InstrumentQuote::lower); })
      .def_property_readonly("upper", [](const AgentView& a) { return a.stock_field(&InstrumentQuote::upper); })
      .def("quote",
           [](const AgentView& a, int i) {
             const InstrumentQuote& q = a.market().quote(a.instrument(i));
             return py::dict(py::arg("last") = q.last, py::arg("prev_close") = q.reference, py::arg("lower") = q.lower,
                             py::arg("upper") = q.upper, py::arg("best_bid") = q.best_bid,
                             py::arg("best_ask") = q.best_ask, py::arg("bid_qty") = q.bid_qty,
                             py::arg("ask_qty") = q.ask_qty, py::arg("volume") = q.volume,
                             py::arg("locked_limit_down") = q.locked_limit_down,
                             py::arg("locked_limit_up") = q.locked_limit_up);
           })
      .def_property_readonly("hedged_index", [](const AgentView& a) { return a.market().hedged_index; })
      .def_property_readonly("hedged_prev_close", [](const AgentView& a) { return a.market().hedged_prev_close; })
      .def_property_readonly("microcap_index", [](const AgentView& a) { return a.market().microcap_index; })
      .def_property_readonly("microcap_prev_close", [](const AgentView& a) { return a.market().microcap_prev_close; })
      .def_property_readonly("locked_limit_down", [](const AgentView& a) { return a.market().locked_limit_down_count; })
      .def_property_readonly("locked_limit_up", [](const AgentView& a) { return a.market().locked_limit_up_count; })
      .def_property_readonly("cash", [](const AgentView& a) { return a.own().cash; })
      .def_property_readonly("reserved_cash", [](const AgentView& a) { return a.own().reserved_cash; })
      .def_property_readonly("available_cash", [](const AgentView& a) { return a.own().available_cash(); })
      .def_property_readonly("long_value",
                             [](const AgentView& a) {
                               Fen sum = 0;
                               for (const StockPosition& p : a.own().stocks())
                                 sum += static_cast<Fen>(p.qty) *
                                        a.market().last_price(static_cast<InstrumentId>(p.stock));
                               return sum;
                             })
      .def_property_readonly("positions",
                             [](const AgentView& a) {
                               py::dict d;
                               for (const StockPosition& p : a.own().stocks())
                                 if (p.qty != 0) d[py::int_(static_cast<int>(p.stock))] = static_cast<Qty>(p.qty);
                               return d;
                             })
      .def("holding", [](const AgentView& a, int i) { return a.own().holding(a.instrument(i)); })
      .def("sellable", [](const AgentView& a, int i) { return a.own().sellable(a.instrument(i)); });
  std::vector<std::string> reasons;
  reasons.reserve(kOrderReasonCount);
  for (int r = 0; r < kOrderReasonCount; ++r) reasons.emplace_back(to_string(static_cast<OrderReason>(r)));
  m.attr("order_reasons") = reasons;
  m.attr("agent_states") = agent_state_names();
}

}   // namespace stampede::python
