// Same scenario and seed: bit-identical results, whatever the number of threads.
#include <tbb/global_control.h>
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>

#include "sim/core/rng.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {

struct Fingerprint {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  void add(const void* data, std::size_t n) {
    auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001B3ULL;
  }
  template <class T> void add(const std::vector<T>& v) { add(v.data(), v.size() * sizeof(T)); }
  void add(double x) { add(&x, sizeof x); }
  // Every declared frame array the frame carries (liquidity, attribution, NAV per unit).
  void add(const FrameArrays& a) {
    for (const FrameArraySpec& s : declared_frame_arrays()) add(a.data(s.id), a.size(s.id) * (s.type == ArrayType::i32 ? 4 : 8));
  }
};

std::uint64_t run_fingerprint(const Scenario& s, const AgentRegistry& r, int threads) {
  Fingerprint fp;
  // global_control lets TBB run more workers than cores, so 16 threads really are 16 threads.
  tbb::global_control workers(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    Simulation sim(s, r);
    while (!sim.finished()) {
      const bool day_end = sim.step();
      const StepFrame& f = sim.step_frame();
      fp.add(f.last_price);
      fp.add(f.hedged_index);
      fp.add(f.microcap_index);
      fp.add(f.futures_price);
      fp.add(f.futures_open_interest);
      fp.add(f.arrays);
      if (day_end) {
        const DayFrame& d = sim.day_frame();
        fp.add(d.close);
        fp.add(d.volume);
        fp.add(d.futures_settlement);
        fp.add(d.arrays);
      }
    }
    for (const Account& a : sim.accounts().all()) {
      fp.add(&a.cash, sizeof a.cash);
      for (const StockPosition& p : a.stocks()) {   // field by field (bit-fields): padding bytes are not state
        const std::int64_t fields[3] = {p.stock, p.qty, p.sellable};
        fp.add(fields, sizeof fields);
      }
    }
  });
  return fp.h;
}

// An agent that decides in order (as Python agents do): it notes each call and, now and then,
// buys a lot of a stock drawn from its own stream.
class InOrderAgent final : public Agent {
 public:
  struct Calls {
    std::vector<std::pair<StepIndex, AgentId>> order;   // (step, agent) of every call, as made
    std::atomic<int> in_flight{0};
    bool overlapped = false;
  };
  InOrderAgent(AccountId account, std::uint64_t seed, Calls* calls) : account_(account), rng_(seed), calls_(calls) {}
  const char* kind() const override { return "in_order"; }
  bool decides_in_order() const override { return true; }
  void decide(const MarketView& view, OrderSink& out) override {
    calls_->overlapped |= calls_->in_flight.fetch_add(1) != 0;
    calls_->order.emplace_back(view.step, id());
    const auto stock = static_cast<InstrumentId>(rng_() % static_cast<std::uint64_t>(view.stock_count));
    if (view.phase == StepPhase::Continuous && rng_() % 4 == 0)
      out.limit(account_, stock, Side::Buy, view.quote(stock).last, 100);
    calls_->in_flight.fetch_sub(1);
  }

 private:
  AccountId account_;
  Rng rng_;
  Calls* calls_;
};

AgentRegistry registry_with_in_order_agents(int count, InOrderAgent::Calls* calls) {
  AgentRegistry r = builtin_agents();
  r.add(AgentKind{"in_order", {}, [count, calls](const Scenario&, WorldSetup& setup) {
                    for (int i = 0; i < count; ++i) {
                      const AgentId id = setup.next_agent_id();
                      const AccountId acc = setup.open_account(id, 100'000'000);
                      const std::uint64_t seed = stream_seed(setup.seed(), "in_order", static_cast<std::uint64_t>(i));
                      setup.add_agent(std::make_unique<InOrderAgent>(acc, seed, calls));
                    }
                  }});
  return r;
}

}  // namespace

TEST_CASE("agents that decide in order are called one at a time, in agent order, the same at any thread count",
          "[determinism]") {
  InOrderAgent::Calls calls;
  const AgentRegistry r = registry_with_in_order_agents(5, &calls);
  const Scenario s = test::small_world(r, {"days=2"});
  const std::uint64_t one = run_fingerprint(s, r, 1);
  for (int threads : {2, 16}) {
    calls.order.clear();
    CHECK(run_fingerprint(s, r, threads) == one);
    CHECK_FALSE(calls.overlapped);
    REQUIRE(!calls.order.empty());
    CHECK(std::is_sorted(calls.order.begin(), calls.order.end()));   // by step, then agent
    CHECK(calls.order.size() % 5 == 0);
  }
}

TEST_CASE("the same seed gives the same run, twice", "[determinism]") {
  const AgentRegistry r = builtin_agents();
  const Scenario s = test::small_world(r, {"days=2"});
  CHECK(run_fingerprint(s, r, 2) == run_fingerprint(s, r, 2));
}

TEST_CASE("results are bit-identical for 1, 2 and 16 threads", "[determinism]") {
  const AgentRegistry r = builtin_agents();
  // More traders than one block, so the population itself decides in parallel blocks.
  const Scenario s = test::small_world(r, {"days=2", "noise_traders.count=3000"});
  const std::uint64_t one = run_fingerprint(s, r, 1);
  CHECK(run_fingerprint(s, r, 2) == one);
  CHECK(run_fingerprint(s, r, 16) == one);
}

TEST_CASE("a driven market and heterogeneous DMA books are bit-identical at any thread count too", "[determinism]") {
  const AgentRegistry r = builtin_agents();
  // The features of issue 16: the real-data driver, DMA terms drawn per account, broker and
  // family, daily liquidation slices, makers marking a stale index down and rationing the long
  // book they absorb (a desk reading every futures maker's account), baskets with an index share.
  const Scenario s = test::small_world(
      r, {"days=2", "fundamentals.market_driver=\"data/china_index_closes_2023_2024.csv\"", "dma.leverage=3",
          "dma.leverage_spread=1", "dma.brokers=3", "dma.broker_line_spread=0.25", "dma.cushion_mean=0.1",
          "dma.cushion_spread=0.1", "dma.signal_families=2", "dma.family_share=0.5", "dma.forced_day_share=0.35",
          "liquidity_providers.futures_locked_markdown=0.1", "liquidity_providers.futures_absorb_skew_pct=3",
          "liquidity_providers.futures_absorb_halflife_days=10", "neutral_funds.index_share=0.4"});
  const std::uint64_t one = run_fingerprint(s, r, 1);
  CHECK(run_fingerprint(s, r, 2) == one);
  CHECK(run_fingerprint(s, r, 16) == one);
}

TEST_CASE("a different seed gives a different run", "[determinism]") {
  const AgentRegistry r = builtin_agents();
  CHECK(run_fingerprint(test::small_world(r, {"days=1", "seed=1"}), r, 2) !=
        run_fingerprint(test::small_world(r, {"days=1", "seed=2"}), r, 2));
}

TEST_CASE("a memory hint on a random stream leaves its draws unchanged", "[determinism]") {
  Rng hinted = make_stream(42, "agent", 7), plain = make_stream(42, "agent", 7);
  // Across several refills of the 312-word state, where the next word wraps to the start.
  for (int k = 0; k < 2000; ++k) {
    prefetch_next_draw(hinted);
    REQUIRE(hinted() == plain());
  }
}
