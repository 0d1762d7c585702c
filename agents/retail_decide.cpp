// RetailPopulation's step: every block's active traders decide, a block's traders in the order of
// its own random stream.
//
// Why blocks are interleaved: a trader drawn at random is cold in every array (style, live order,
// slots, account), and its positions are a second miss behind its account's line, so a block
// decided alone waits for memory at every trader (most of the population's decide time in
// profiles of bench_full). Blocks share nothing while they decide: each has its own stream,
// orders, order ids and traders, and the accounts are only read (the risk check comes after). So a
// thread runs kDecideLanes blocks in turn: a lane's next trader is drawn as soon as its previous
// one has acted, its lines are requested at once, its positions half a round later (once the
// account's line is in), and it decides a full round later. Each block draws, decides and sends
// exactly what it did alone, so results do not depend on the lanes or on how blocks are shared
// among threads.
#include <algorithm>
#include <array>
#include <boost/random/poisson_distribution.hpp>
#include <optional>
#include <stdexcept>

#include "agents/retail_population.hpp"
#include "sim/core/parallel.hpp"
#include "sim/engine/valuation.hpp"

namespace stampede {

namespace {
// Blocks a thread interleaves. A round (a decision in each lane) must outlast a miss to memory;
// eight decisions do, and eight blocks' working sets stay small next to the caches.
constexpr int kDecideLanes = 8;
}   // namespace

// One block's pass through a step: the traders that cancelled last step (revisits) first, then a
// Poisson number of traders picked at random. next_trader() draws from the block's stream where a
// loop over the block alone would: the count right after the last revisit has decided, each pick
// right after the previous trader has decided.
class RetailPopulation::BlockPass {
 public:
  BlockPass(RetailPopulation& pop, int b, AgentId agent, double rate)
      : pop_(pop), blk_(pop.blocks_[static_cast<std::size_t>(b)]),
        base_(static_cast<std::uint64_t>(b) << pop.sequence_bits_), step_start_(blk_.sequence),
        sink_(agent, blk_.orders, blk_.sequence), first_(b * kBlockSize),
        members_(std::min(kBlockSize, pop.size() - first_)), mean_(rate * members_) {
    blk_.orders.clear();
    std::swap(blk_.revisit, blk_.next_revisit);
    blk_.next_revisit.clear();
  }

  // The next trader to decide; -1 when the block is done for this step.
  int next_trader() {
    if (revisited_ < blk_.revisit.size()) return blk_.revisit[revisited_++];
    if (active_ < 0) active_ = mean_ > 0 ? boost::random::poisson_distribution<int>(mean_)(blk_.rng) : 0;
    if (picked_ == active_) return -1;
    ++picked_;
    return first_ + uniform_int(blk_.rng, 0, members_ - 1);
  }

  void act(const MarketView& v, int trader) { pop_.act(v, trader, blk_, base_, step_start_, sink_); }

 private:
  RetailPopulation& pop_;
  Block& blk_;
  const std::uint64_t base_;         // the block's first order sequence
  const std::uint64_t step_start_;   // its first sequence this step: a live order from before is cancelled
  OrderSink sink_;
  const int first_, members_;   // the block's traders
  const double mean_;           // expected active traders this step
  std::size_t revisited_ = 0;
  int active_ = -1;   // drawn after the revisits
  int picked_ = 0;
};

// The trader's lines in the population's arrays and its account (not yet its positions: their
// address is in the account's line).
void RetailPopulation::prefetch_trader(const MarketView& v, int t) const {
  const std::size_t row = static_cast<std::size_t>(t) * static_cast<std::size_t>(k_);
  const std::size_t row_end = row + static_cast<std::size_t>(k_) - 1;   // a row may straddle two lines
  __builtin_prefetch(&style_[static_cast<std::size_t>(t)]);
  __builtin_prefetch(&live_[static_cast<std::size_t>(t)]);
  __builtin_prefetch(&slot_stock_[row]);
  __builtin_prefetch(&slot_stock_[row_end]);
  __builtin_prefetch(&slot_entry_[row]);
  __builtin_prefetch(&slot_entry_[row_end]);
  __builtin_prefetch(&v.account(account(t)));
}

// Blocks first_block .. last_block - 1 on this thread, kDecideLanes at a time.
void RetailPopulation::decide_blocks(const MarketView& v, AgentId agent, double rate, int first_block, int last_block) {
  struct Lane {
    std::optional<BlockPass> pass;
    int trader = -1;   // drawn, its memory requested, not yet decided; -1 = the lane is idle
  };
  std::array<Lane, kDecideLanes> lanes;
  int next_block = first_block;
  // The lane's next trader, from its block or from the next block not started; false when none.
  auto draw = [&](Lane& lane) {
    for (;;) {
      if (lane.pass) {
        lane.trader = lane.pass->next_trader();
        if (lane.trader >= 0) {
          prefetch_trader(v, lane.trader);
          return true;
        }
      }
      if (next_block == last_block) {
        lane.pass.reset();
        return false;
      }
      lane.pass.emplace(*this, next_block++, agent, rate);
    }
  };
  int busy = 0;
  for (Lane& lane : lanes) busy += draw(lane);
  while (busy > 0) {
    for (int j = 0; j < kDecideLanes; ++j) {
      Lane& lane = lanes[static_cast<std::size_t>(j)];
      if (lane.trader < 0) continue;
      lane.pass->act(v, lane.trader);
      if (!draw(lane)) --busy;
      // The lane half a round ahead drew its trader half a round ago: its account's line is in.
      const Lane& ahead = lanes[static_cast<std::size_t>((j + kDecideLanes / 2) % kDecideLanes)];
      if (ahead.trader >= 0) prefetch_account(v, account(ahead.trader));
    }
  }
}

// One trader decides: its live order from an earlier step is cancelled, then its intent is sent.
void RetailPopulation::act(const MarketView& v, int t, Block& blk, std::uint64_t base, std::uint64_t step_start,
                           OrderSink& sink) {
  // The trader's lines were requested a round of lanes ago (decide_blocks).
  const std::size_t row = static_cast<std::size_t>(t) * static_cast<std::size_t>(k_);
  std::uint32_t& live = live_[static_cast<std::size_t>(t)];
  bool cancelled = false;
  if (live != 0) {
    const std::uint64_t seq = base + (live >> 4) - 1;
    if (seq >= step_start) return;   // already acted this step
    // The previous order may still rest: cancel it. Its cash or shares come back after this
    // step's matching, so what this decision can use excludes them.
    sink.cancel(account(t), slot_stock_[row + (live & 15u)], make_order_id(sink.agent(), OrderReason::Voluntary, seq));
    live = 0;
    cancelled = true;
  }
  const RetailIntent in = intent(v, t, blk.rng);
  if (!in.act || in.qty <= 0) {
    if (cancelled) blk.next_revisit.push_back(t);   // decide again once the cancel has freed its reservation
    return;
  }
  const std::size_t slot = row + static_cast<std::size_t>(in.slot);
  if (in.side == Side::Buy && slot_stock_[slot] != in.stock) {
    slot_stock_[slot] = in.stock;
    slot_entry_[slot] = in.price;
  }
  const OrderId id = sink.limit(account(t), in.stock, in.side, in.price, in.qty, OrderReason::Voluntary);
  const std::uint64_t offset = (id & ((1ULL << kOrderSequenceBits) - 1)) - base;
  live = static_cast<std::uint32_t>(((offset + 1) << 4) | static_cast<std::uint64_t>(in.slot));
  if (in.panic) {
    ++blk.panic_orders;
    blk.panic_shares += in.qty;
    blk.panic_value += static_cast<Fen>(in.price) * in.qty;
  }
}

void RetailPopulation::decide(const MarketView& view, OrderSink& out) {
  if (view.phase != StepPhase::Continuous || size() == 0) return;
  refresh_attention(view);
  const IntradayStep& st = view.clock->step(view.step_in_day);
  const double rate = p_.orders_per_day * st.length / view.clock->continuous_minutes();
  const int blocks = static_cast<int>(blocks_.size());
  // Tasks of a few blocks per lane (the grain), so the lanes stay full but near a task's end.
  stampede::parallel_for(tbb::blocked_range<int>(0, blocks, std::size_t{4} * kDecideLanes),
                         [&](const auto& r) { decide_blocks(view, out.agent(), rate, r.begin(), r.end()); });
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const std::uint64_t used = blocks_[b].sequence - (static_cast<std::uint64_t>(b) << sequence_bits_);
    if (used >= (1ULL << sequence_bits_) - 1)
      throw std::runtime_error("retail population: a block ran out of order ids; use fewer retail orders per day");
    out.extend(blocks_[b].orders);
  }
}

}   // namespace stampede
