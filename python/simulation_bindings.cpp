// stampede.Simulation's compiled half: a SteppedRun (sim/engine/run.hpp, the loop `stampede run`
// itself runs) stepped from Python, and read-only looks at its state between steps. Arrays that
// live in the simulation for its whole life are handed out as numpy views (no copy, read only,
// keeping the simulation alive); everything else is copied, because it is computed (yuan from
// ticks, marked equity), packed (positions are bit fields) or rebuilt every day.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/engine/valuation.hpp"

namespace py = pybind11;

namespace stampede::python {

namespace {

class SteppedSimulation {
 public:
  SteppedSimulation(const std::string& file, const std::vector<std::string>& overrides, const std::string& output,
                    int threads, const py::object& agents)
      : output_(output) {
    const AgentRegistry registry = registry_with(agents);
    const Scenario scenario = load(file, overrides, registry);
    RunOptions options;
    options.output = output;
    options.threads = threads;
    // The run's own arena bounds its threads. A process-wide cap held for the simulation's
    // lifetime would also cap every other run made meanwhile (stampede.run, another Simulation).
    options.limit_global_parallelism = false;
    python_agents_take_no_checkpoints(agents, options);
    py::gil_scoped_release release;
    run_ = std::make_unique<SteppedRun>(scenario, registry, options);
  }

  // Steps until `days` more trading days have closed or `steps` more steps are made, whichever
  // comes first (0: no limit of that kind), without the GIL; Ctrl-C stops at the end of a day
  // and raises KeyboardInterrupt (the simulation stays usable). Returns the steps made.
  std::int64_t advance(std::int64_t days, std::int64_t steps) {
    Busy busy(*this);
    if (ended_) throw std::logic_error("the simulation has been finished or stopped: it takes no more steps");
    if (!failed_.empty())
      throw std::logic_error("the simulation failed in a step (" + failed_ + "): it takes no more steps");
    std::int64_t made = 0, closed = 0;
    bool interrupted = false;
    {
      py::gil_scoped_release release;
      while (!run_->finished() && (days <= 0 || closed < days) && (steps <= 0 || made < steps)) {
        bool day_closed = false;
        try {
          day_closed = run_->step();
        } catch (const std::exception& e) {   // a Python agent's error: the step is half made
          failed_ = e.what();
          throw;
        }
        ++made;
        if (!day_closed) continue;
        ++closed;
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
          interrupted = true;
          break;
        }
      }
    }
    if (interrupted) throw py::error_already_set();
    return made;
  }

  // Ends the run (the log finished when every day is done, else closed incomplete); the summary
  // dict of a complete run, None otherwise.
  py::object finish() {
    Busy busy(*this);
    if (ended_) throw std::logic_error("the simulation has already been finished or stopped");
    ended_ = true;
    RunSummary summary;
    {
      py::gil_scoped_release release;
      summary = run_->finish();
    }
    if (summary.days_done < summary.days) return py::none();
    return summary_dict(summary, output_);
  }

  const Simulation& sim() const {
    if (busy_) throw std::runtime_error("the simulation is stepping in another thread: read it between steps");
    return run_->simulation();
  }
  bool ended() const { return ended_; }
  int threads() const { return run_->threads(); }

 private:
  // One call at a time: a second thread stepping (or reading) during a step gets an error, not a race.
  struct Busy {
    explicit Busy(SteppedSimulation& s) : s(s) {
      if (s.busy_.exchange(true)) throw std::runtime_error("the simulation is stepping in another thread: one call at a time");
    }
    ~Busy() { s.busy_ = false; }
    SteppedSimulation& s;
  };
  std::string output_;
  std::unique_ptr<SteppedRun> run_;
  std::atomic<bool> busy_{false};
  bool ended_ = false;
  std::string failed_;   // why a step failed: the state is a half-made step's, so no more steps
};

// A read-only numpy view of `count` values `stride` bytes apart from `first`, owned by `owner`
// (the Python object of the simulation: it stays alive while the view does).
template <class T>
py::array view_of(const T* first, std::size_t count, std::size_t stride, py::handle owner) {
  py::array_t<T> a({count}, {stride}, first, owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

template <class T>
py::array copy_of(const std::vector<T>& v) {
  return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

// Today's figures of every stock (Simulation::day_stats), one field as a live view.
py::array day_field(py::object self, const std::string& field) {
  const auto& stats = self.cast<const SteppedSimulation&>().sim().day_stats();
  const std::size_t n = stats.size(), stride = sizeof(StockDayStats);
  const StockDayStats* s = stats.data();
  if (field == "prev_close") return view_of(&s->prev_close, n, stride, self);
  if (field == "open") return view_of(&s->open, n, stride, self);
  if (field == "high") return view_of(&s->high, n, stride, self);
  if (field == "low") return view_of(&s->low, n, stride, self);
  if (field == "last") return view_of(&s->last, n, stride, self);
  if (field == "close") return view_of(&s->close, n, stride, self);
  if (field == "volume") return view_of(&s->volume, n, stride, self);
  if (field == "turnover") return view_of(&s->turnover, n, stride, self);
  throw py::value_error("no day figure '" + field + "': prev_close, open, high, low, last, close, volume or turnover");
}

// The top `levels` price levels of each side of a book: (bid ticks, bid qty, ask ticks, ask qty),
// best first, copies. Walks the band one tick at a time (a few thousand ticks at most).
py::tuple book_levels(const SteppedSimulation& s, int instrument, int levels) {
  const Simulation& sim = s.sim();
  const int books = sim.stock_count() + kFuturesSlots;
  if (instrument < 0 || instrument >= books)
    throw py::index_error("no book " + std::to_string(instrument) + ": stocks are 0.." + std::to_string(sim.stock_count() - 1) +
                          ", the futures books " + std::to_string(sim.stock_count()) + " (front) and " +
                          std::to_string(sim.stock_count() + 1) + " (next)");
  if (levels < 1) throw py::value_error("levels must be at least 1, not " + std::to_string(levels));
  const OrderBook& b = sim.book(instrument);
  std::vector<Tick> bid_price, ask_price;
  std::vector<Qty> bid_qty, ask_qty;
  if (b.best_bid() != kNoPrice)
    for (Tick p = b.best_bid(); p >= b.lower() && static_cast<int>(bid_price.size()) < levels; --p)
      if (const Qty q = b.volume_at(Side::Buy, p); q > 0) bid_price.push_back(p), bid_qty.push_back(q);
  if (b.best_ask() != kNoPrice)
    for (Tick p = b.best_ask(); p <= b.upper() && static_cast<int>(ask_price.size()) < levels; ++p)
      if (const Qty q = b.volume_at(Side::Sell, p); q > 0) ask_price.push_back(p), ask_qty.push_back(q);
  return py::make_tuple(copy_of(bid_price), copy_of(bid_qty), copy_of(ask_price), copy_of(ask_qty));
}

// The accounts an agent owns, in account order.
std::vector<AccountId> accounts_of(const Simulation& sim, int agent) {
  std::vector<AccountId> out;
  const auto& all = sim.accounts().all();
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].owner == agent) out.push_back(static_cast<AccountId>(i));
  return out;
}

int checked_agent(const Simulation& sim, int agent) {
  const int n = static_cast<int>(sim.agents().size());
  if (agent < 0 || agent >= n)
    throw py::key_error("no agent " + std::to_string(agent) + ": agent ids are 0.." + std::to_string(n - 1));
  return agent;
}

py::dict account(const SteppedSimulation& s, int account_id) {
  const Simulation& sim = s.sim();
  if (!sim.accounts().valid(account_id))
    throw py::key_error("no account " + std::to_string(account_id) + ": account ids are 0.." +
                        std::to_string(sim.accounts().size() - 1));
  const Account& a = sim.accounts()[account_id];
  const AccountValue v = value_account(sim.view(), a);
  std::vector<std::int32_t> stock;
  std::vector<Qty> qty, sellable;
  for (const StockPosition& p : a.stocks()) {
    if (p.qty == 0 && p.sellable == 0) continue;
    stock.push_back(static_cast<std::int32_t>(p.stock));
    qty.push_back(p.qty);
    sellable.push_back(p.sellable);
  }
  std::vector<Qty> futures_qty;
  for (int k = 0; k < kFuturesSlots; ++k) futures_qty.push_back(a.futures(k).qty);
  py::dict out;
  out["account"] = account_id;
  out["owner"] = a.owner;
  out["cash"] = static_cast<double>(a.cash) / 100.0;
  out["cash_fen"] = a.cash;
  out["reserved_cash"] = static_cast<double>(a.reserved_cash) / 100.0;
  out["futures_margin"] = static_cast<double>(a.futures_margin()) / 100.0;
  out["available_cash"] = static_cast<double>(a.available_cash()) / 100.0;
  out["long_value"] = v.long_value;
  out["futures_pnl"] = v.futures_pnl;
  out["futures_notional"] = v.futures_notional;
  out["equity"] = v.equity();
  out["stock"] = copy_of(stock);
  out["shares"] = copy_of(qty);
  out["sellable"] = copy_of(sellable);
  out["futures_contracts"] = copy_of(futures_qty);
  return out;
}

py::dict agent_row(const SteppedSimulation& s, int agent) {
  const Simulation& sim = s.sim();
  const Agent& a = *sim.agents()[static_cast<std::size_t>(checked_agent(sim, agent))];
  py::dict out;
  out["id"] = agent;
  out["kind"] = a.kind();
  out["accounts"] = accounts_of(sim, agent);
  out["reports_daily"] = a.reports_daily();
  if (a.reports_daily()) {
    const AgentDayRow r = a.day_row(sim.view());
    out["nav"] = r.nav;
    out["equity"] = r.equity;
    out["leverage"] = r.leverage;
    out["nav_per_unit"] = r.nav_per_unit;
    out["state"] = agent_state_names().at(static_cast<std::size_t>(r.state));
  }
  return out;
}

py::dict clock(const SteppedSimulation& s) {
  const Simulation& sim = s.sim();
  const int days = sim.calendar().size();
  const int day = sim.day();
  py::dict out;
  out["days_done"] = day;
  out["days_total"] = days;
  out["step"] = sim.global_step();
  out["step_in_day"] = sim.step_in_day();
  out["steps_per_day"] = sim.clock().steps_per_day();
  // The trading day the next step belongs to; the last day once every day is done.
  out["date"] = sim.calendar().iso(day < days ? day : days - 1);
  out["finished"] = sim.finished();
  return out;
}

py::dict market(const SteppedSimulation& s) {
  const Simulation& sim = s.sim();
  const MarketView& v = sim.view();
  const StepFrame& f = sim.step_frame();
  py::dict out;
  out["hedged_index"] = v.hedged_index;
  out["hedged_prev_close"] = v.hedged_prev_close;
  out["microcap_index"] = v.microcap_index;
  out["microcap_prev_close"] = v.microcap_prev_close;
  out["locked_limit_down"] = v.locked_limit_down_count;
  out["locked_limit_up"] = v.locked_limit_up_count;
  std::vector<std::string> codes;
  std::vector<int> expiry;
  std::vector<Tick> ticks;
  std::vector<double> points;
  for (int k = 0; k < kFuturesSlots; ++k) {
    codes.push_back(v.futures[static_cast<std::size_t>(k)].code);
    expiry.push_back(v.futures[static_cast<std::size_t>(k)].days_to_expiry);
    const Tick t = v.quote(v.futures_instrument(k)).last;
    ticks.push_back(t);
    points.push_back(t == kNoPrice ? std::numeric_limits<double>::quiet_NaN() : sim.futures().to_points(t));
  }
  out["futures_code"] = codes;
  out["futures_days_to_expiry"] = copy_of(expiry);
  out["futures_last_ticks"] = copy_of(ticks);
  out["futures_last"] = copy_of(points);
  out["futures_tick_points"] = sim.futures().spec().tick_points;
  // The basis as the run log records it for the last step (points, fraction a year); NaN before the first step.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto slots = [&](const std::vector<double>& x) { return copy_of(x.empty() ? std::vector<double>(kFuturesSlots, nan) : x); };
  out["futures_price"] = slots(f.futures_price);
  out["futures_basis"] = slots(f.futures_basis);
  out["futures_basis_annualised"] = slots(f.futures_basis_annualised);
  return out;
}

}  // namespace

void bind_simulation(py::module_& m) {
  py::class_<SteppedSimulation>(m, "SteppedSimulation")
      .def(py::init<const std::string&, const std::vector<std::string>&, const std::string&, int, const py::object&>(),
           py::arg("file"), py::arg("overrides"), py::arg("output"), py::arg("threads"), py::arg("agents") = py::none())
      .def("advance", &SteppedSimulation::advance, py::arg("days"), py::arg("steps"))
      .def("finish", &SteppedSimulation::finish)
      .def_property_readonly("ended", &SteppedSimulation::ended)
      .def_property_readonly("threads", &SteppedSimulation::threads)
      .def("clock", &clock)
      .def("market", &market)
      .def("day_field", &day_field, py::arg("field"))
      .def("last_ticks",
           [](py::object self) {
             const Simulation& sim = self.cast<const SteppedSimulation&>().sim();
             const std::vector<Tick>& last = *sim.view().stock_last;
             return view_of(last.data(), last.size(), sizeof(Tick), self);
           })
      .def("book", &book_levels, py::arg("instrument"), py::arg("levels"))
      .def("stock_names", [](const SteppedSimulation& s) { return s.sim().universe().name; })
      .def("agent_kinds",
           [](const SteppedSimulation& s) {
             std::vector<std::string> kinds;
             for (const auto& a : s.sim().agents()) kinds.emplace_back(a->kind());
             return kinds;
           })
      .def("agent", &agent_row, py::arg("agent"))
      .def(
          "python_agent",
          [](const SteppedSimulation& s, int agent) {
            return python_agent_object(*s.sim().agents()[static_cast<std::size_t>(checked_agent(s.sim(), agent))]);
          },
          py::arg("agent"))
      .def("account", &account, py::arg("account"));
}

}  // namespace stampede::python
