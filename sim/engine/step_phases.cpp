// The phases of one step between the snapshot and the record: decide, risk check, route, match,
// settle. Each parallel phase writes only to memory owned by one agent or one book (or, in match,
// to an account that only that book's orders touch this step).
#include <algorithm>
#include <stdexcept>
#include <utility>

#include "sim/core/rng.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/core/parallel.hpp"

namespace stampede {

// Each agent decides, then its orders pass the pre-trade risk check at once, while its orders and
// accounts are still in cache. Both touch only what the agent owns: decisions read no account
// but the agent's own (MarketView::account), and the check reserves on those accounts alone, so
// no agent sees another's reservations and the order of agents does not matter.
// Agents that decide in order (Python agents: Agent::decides_in_order) come after the others, one
// at a time on this thread, so their calls are in agent order at any thread count.
void Simulation::decide() {
  auto decide_one = [&](std::size_t a) {
    agent_orders_[a].clear();
    OrderSink sink(agents_[a]->id(), agent_orders_[a], agent_sequence_[a], &agent_outboxes_[a]);
    agents_[a]->decide(view_, sink);
    check_risk(a);
  };
  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, agents_.size(), 1), [&](const auto& r) {
    for (std::size_t a = r.begin(); a < r.end(); ++a) {
      if (a + 1 < r.end()) agents_[a + 1]->prefetch_decide(view_);
      if (!agent_in_order_[a]) decide_one(a);
    }
  });
  for (std::size_t a : in_order_agents_) decide_one(a);
}

// Pre-trade risk for one agent's orders. Reservations taken here are what make every later fill
// affordable.
void Simulation::check_risk(std::size_t a) {
  std::vector<Order>& orders = agent_orders_[a];
  agent_rejects_[a].clear();
  const AgentId agent = agents_[a]->id();
  std::size_t kept = 0;
  // Whether every cancel of the agent names one account in one book (a market maker's requote).
  AccountId cancel_account = -1;
  InstrumentId cancel_book = -1;
  bool one_book = true;
  std::vector<SellCapRoom> sell_cap;   // rarely more than one account: a linear search
  // A population's orders name accounts all over the book, cold again by now (its decisions
  // touched thousands of others since): fetch a few orders ahead, the account first, then a
  // seller's positions once the account's line is in (hints only; positions do not move while
  // agents decide).
  constexpr std::size_t kAccountAhead = 8, kPositionsAhead = 4;
  for (std::size_t k = 0; k < orders.size(); ++k) {
    if (k + kAccountAhead < orders.size() && accounts_.valid(orders[k + kAccountAhead].account))
      accounts_.prefetch(orders[k + kAccountAhead].account);
    if (k + kPositionsAhead < orders.size()) {
      const Order& ahead = orders[k + kPositionsAhead];
      if (ahead.side == Side::Sell && ahead.type != OrderType::Cancel && accounts_.valid(ahead.account))
        accounts_.prefetch_positions(ahead.account);
    }
    Order& o = orders[k];
    RejectReason why = reserve(o, agent, sell_cap);
    if (why != RejectReason::None) {
      agent_rejects_[a].emplace_back(o, why);
      continue;
    }
    orders[kept++] = o;
    if (o.type != OrderType::Cancel) continue;
    if (cancel_account < 0) cancel_account = o.account, cancel_book = o.instrument;
    one_book &= o.account == cancel_account && o.instrument == cancel_book;
  }
  orders.resize(kept);
  agent_reject_count_[a] = static_cast<std::uint32_t>(agent_rejects_[a].size());
  agent_releases_in_match_[a] = one_book;
}

RejectReason Simulation::reserve(Order& o, AgentId agent, std::vector<SellCapRoom>& sell_cap) {
  if (!accounts_.valid(o.account)) return RejectReason::UnknownAccount;
  Account& acc = accounts_[o.account];
  if (acc.owner != agent) return RejectReason::NotAccountOwner;
  if (o.instrument < 0 || o.instrument >= static_cast<InstrumentId>(books_.size()))
    return RejectReason::UnknownInstrument;
  // Ids carry their agent (OrderSink makes them); matching takes the sender from the id.
  if (agent_of(o.id) != agent) return RejectReason::BadOrder;
  if (o.type == OrderType::Cancel) return RejectReason::None;
  if (o.qty <= 0 || o.qty > (Qty{1} << 40)) return RejectReason::BadOrder;
  const InstrumentQuote& q = quotes_[static_cast<std::size_t>(o.instrument)];
  // A market order is a limit order at the band bound: reserve for the worst price it can get.
  if (o.type == OrderType::Market) o.price = o.side == Side::Buy ? q.upper : q.lower;
  if (o.price < q.lower || o.price > q.upper) return RejectReason::PriceOutsideBand;
  if (is_futures(o.instrument)) {
    const Fen need = futures_.margin_per_contract(slot_of(o.instrument)) * o.qty;
    if (acc.available_cash() < need) return RejectReason::InsufficientMargin;
    acc.reserved_cash += need;
    return RejectReason::None;
  }
  if (o.side == Side::Sell) {
    StockPosition* p = acc.find(o.instrument);
    if (p == nullptr || p->sellable < o.qty) return RejectReason::InsufficientShares;
    if (is_regulated(agent))
      if (const RejectReason why = check_regulator_rules(o, acc, sell_cap); why != RejectReason::None) return why;
    p->sellable -= o.qty;
    return RejectReason::None;
  }
  const Fen need = static_cast<Fen>(o.price) * o.qty;
  if (acc.available_cash() < need) return RejectReason::InsufficientCash;
  if (is_regulated(agent))
    if (const RejectReason why = check_regulator_rules(o, acc, sell_cap); why != RejectReason::None) return why;
  acc.reserved_cash += need;
  return RejectReason::None;
}

AccountChange Simulation::release_change(const Release& r) const {
  if (is_futures(r.instrument))
    return AccountChange{r.account, -1, 0, -futures_.margin_per_contract(slot_of(r.instrument)) * r.qty, 0, 0};
  if (r.side == Side::Sell) return AccountChange{r.account, r.instrument, 0, 0, 0, r.qty};
  return AccountChange{r.account, -1, 0, -static_cast<Fen>(r.price) * r.qty, 0, 0};
}

// Orders reach each book in an order drawn from (seed, step, order id): cancels first (they
// are fast messages), then everything else shuffled. No thread ever decides who comes first.
// The orders are grouped by book with a counting sort over fixed groups of agents: each group
// counts its orders per book, the counts give each group's place in each book's run, each group
// places its orders; then each book's run is sorted by arrival key.
void Simulation::route() {
  const std::size_t books = books_.size();
  auto agents_of = [n = agents_.size()](std::size_t g) {
    return std::pair{n * g / kRouteGroups, n * (g + 1) / kRouteGroups};
  };
  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, kRouteGroups, 1), [&](const auto& r) {
    for (std::size_t g = r.begin(); g < r.end(); ++g) {
      std::uint32_t* count = &route_slots_[g * books];
      std::fill(count, count + books, 0u);
      const auto [first, last] = agents_of(g);
      for (std::size_t a = first; a < last; ++a)
        for (const Order& o : agent_orders_[a]) ++count[static_cast<std::size_t>(o.instrument)];
    }
  });
  std::uint32_t next = 0;
  for (std::size_t i = 0; i < books; ++i) {
    routed_start_[i] = next;
    for (std::size_t g = 0; g < kRouteGroups; ++g) {
      std::uint32_t& slot = route_slots_[g * books + i];
      next += std::exchange(slot, next);
    }
  }
  routed_start_[books] = next;
  routed_orders_.resize(next);

  const std::uint64_t step_key = stream_seed(seed_, "arrival", static_cast<std::uint64_t>(global_step_));
  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, kRouteGroups, 1), [&](const auto& r) {
    for (std::size_t g = r.begin(); g < r.end(); ++g) {
      std::uint32_t* slot = &route_slots_[g * books];
      const auto [first, last] = agents_of(g);
      for (std::size_t a = first; a < last; ++a) {
        const std::vector<Order>& orders = agent_orders_[a];
        for (std::size_t k = 0; k < orders.size(); ++k) {
          const Order& o = orders[k];
          std::uint64_t key = splitmix64(step_key ^ o.id) >> 1;
          if (o.type != OrderType::Cancel) key |= 1ULL << 63;
          routed_orders_[slot[static_cast<std::size_t>(o.instrument)]++] =
              RoutedOrder{key, &o};
        }
      }
    }
  });
  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, books, 64), [&](const auto& r) {
    for (std::size_t i = r.begin(); i < r.end(); ++i)
      std::sort(routed_orders_.begin() + routed_start_[i], routed_orders_.begin() + routed_start_[i + 1],
                [this](const RoutedOrder& x, const RoutedOrder& y) {
                  if (x.key != y.key) return x.key < y.key;
                  const Order &ox = order_of(x), &oy = order_of(y);   // ties are rare: look the orders up
                  if (ox.id != oy.id) return ox.id < oy.id;
                  return ox.type < oy.type;
                });
  });
}

namespace {
OrderRequest request_of(const Order& o) { return OrderRequest{o.id, o.account, o.side, o.type, o.price, o.qty}; }
}  // namespace

// Each book is cold when its turn comes, and its operations are chains of dependent loads
// (order -> id slot -> node -> neighbours). While book i runs, the lines of the next books are
// fetched a stage at a time, one book apart, so each stage's loads have a book's work to land.
// Hints only: matching is the same with or without them. Never past r.end(): those books are
// another thread's.
void Simulation::prefetch_books_after(std::size_t i, std::size_t end) const {
  if (i + 3 < end) {
    books_[i + 3].prefetch_header();
    for (const RoutedOrder& ro : routed(i + 3)) __builtin_prefetch(&order_of(ro));
  }
  if (i + 4 < end) __builtin_prefetch(routed(i + 4).data());
  if (i + 2 < end) {
    books_[i + 2].prefetch_bitmaps();
    for (const RoutedOrder& ro : routed(i + 2)) {
      const Order& o = order_of(ro);
      books_[i + 2].prefetch_stage1(request_of(o));
      if (o.type == OrderType::Cancel && agent_releases_in_match_[sender_of(ro)]) accounts_.prefetch(o.account);
    }
  }
  if (i + 1 < end)
    for (const RoutedOrder& ro : routed(i + 1)) {
      const Order& o = order_of(ro);
      books_[i + 1].prefetch_stage2(request_of(o));
      if (o.type == OrderType::Cancel && agent_releases_in_match_[sender_of(ro)]) accounts_.prefetch_positions(o.account);
    }
}

// Books in parallel. A cancelled order's reservation goes back in settle(), or right here when all
// of its agent's cancels this step name one account in this book (makers' requotes): no other
// book's thread touches that account, and settlement is spared most of its changes.
void Simulation::match(bool auction) {
  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, books_.size(), 16), [&](const auto& r) {
    for (std::size_t i = r.begin(); i < r.end(); ++i) {
      prefetch_books_after(i, r.end());
      OrderBook& book = books_[i];
      trades_[i].clear();
      releases_[i].clear();
      book_rejects_[i].clear();
      for (const RoutedOrder& ro : routed(i)) {
        const Order& o = order_of(ro);
        if (o.type == OrderType::Cancel) {
          CancelResult c = book.cancel(o.id, o.account);
          if (c.reject != RejectReason::None) continue;
          const Release freed{o.account, o.instrument, c.side, c.price, c.remaining};
          if (agent_releases_in_match_[sender_of(ro)])
            accounts_.release(release_change(freed));   // no other book touches this account this step
          else
            releases_[i].push_back(freed);
          continue;
        }
        SubmitResult s = book.submit(request_of(o), trades_[i]);
        if (s.reject != RejectReason::None) {
          releases_[i].push_back(Release{o.account, o.instrument, o.side, o.price, o.qty});
          book_rejects_[i].emplace_back(agent_of(o.id), s.reject);
        }
      }
      if (auction) book.uncross(trades_[i]);
    }
  });
}

// Settlement in three passes, none of which depends on the thread count.
//  1. Stock books in parallel, in fixed blocks of books: each book's day statistics, and each
//     trade's and release's change to an account, bucketed per block by a fixed partition of the
//     account ids; the class flows summed per block.
//  2. Sequentially: futures trades, the blocks' flows, rejections and totals.
//  3. Account partitions (AccountBook::partition_of) in parallel, each applying its changes
//     sorted by account and stock, new positions included (each partition has its own position
//     pool). The changes are exact integers, so the accounts end as the sequential book order
//     would leave them.
void Simulation::settle() {
  const std::size_t n = static_cast<std::size_t>(universe_.size());
  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, kSettleBlocks, 1), [&](const auto& r) {
    for (std::size_t block = r.begin(); block < r.end(); ++block) bucket_block(block, n);
  });

  const auto margins = futures_.margins_per_contract();
  const bool in_window = clock_.in_last_minutes(step_in_day_, futures_.spec().settlement_window_minutes);
  for (std::size_t i = n; i < books_.size(); ++i) {
    const int slot = static_cast<int>(i - n);
    for (const Trade& t : trades_[i]) {
      const AccountId buyer = t.taker_side == Side::Buy ? t.taker : t.maker;
      const AccountId seller = t.taker_side == Side::Buy ? t.maker : t.taker;
      auto long_part = [&](AccountId a) { return std::max<Qty>(0, accounts_[a].futures(slot).qty); };
      const Qty before = long_part(buyer) + (buyer != seller ? long_part(seller) : 0);
      accounts_.settle_futures_trade(buyer, seller, slot, t.price * futures_.tick_value_fen(), t.qty,
                                     margins[static_cast<std::size_t>(slot)], margins);
      const Qty after = long_part(buyer) + (buyer != seller ? long_part(seller) : 0);
      open_interest_[static_cast<std::size_t>(slot)] += after - before;
      step_futures_volume_[static_cast<std::size_t>(slot)] += t.qty;
      futures_.record_trade(slot, t.price, t.qty, in_window);
    }
    for (const Release& r : releases_[i]) {
      const AccountChange c = release_change(r);
      settle_blocks_[kSettleBlocks - 1].changes[partition_of(c.account)].push_back(c);
    }
  }
  for (const SettleBlock& b : settle_blocks_)
    for (std::size_t k = 0; k < day_flows_.size(); ++k) {
      day_flows_[k].sell_forced += b.flows[k].sell_forced;
      day_flows_[k].sell_voluntary += b.flows[k].sell_voluntary;
      day_flows_[k].sell_aggressive += b.flows[k].sell_aggressive;
      day_flows_[k].buy += b.flows[k].buy;
    }
  // Counts and rejections: from the blocks and futures books, and from the few agents with risk
  // rejections (a pass over every book's or agent's vectors would miss the cache on each).
  auto count_book_rejection = [&](AgentId agent, RejectReason why) {
    ++day_rejections_[{agent_kinds_[static_cast<std::size_t>(agent)], to_string(why)}];
  };
  for (const SettleBlock& b : settle_blocks_) {
    for (const auto& [agent, why] : b.rejects) count_book_rejection(agent, why);
    totals_.trades += b.trades;
    totals_.orders += b.orders;
  }
  for (std::size_t i = n; i < books_.size(); ++i) {
    for (const auto& [agent, why] : book_rejects_[i]) count_book_rejection(agent, why);
    totals_.trades += static_cast<std::int64_t>(trades_[i].size());
    totals_.orders += static_cast<std::int64_t>(routed(i).size());
  }
  for (std::size_t a = 0; a < agents_.size(); ++a) {
    if (agent_reject_count_[a] == 0) continue;
    for (const auto& [order, why] : agent_rejects_[a]) {
      ++day_rejections_[{agent_kinds_[a], to_string(why)}];
      ++totals_.orders;
    }
  }

  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, kSettlePartitions, 1), [&](const auto& r) {
    for (std::size_t p = r.begin(); p < r.end(); ++p) apply_partition(p);
  });
}

// Pass 1 for one block of stock books. Futures releases join the last block's buckets in pass 2.
void Simulation::bucket_block(std::size_t block, std::size_t stocks) {
  SettleBlock& b = settle_blocks_[block];
  for (auto& c : b.changes) c.clear();
  b.flows.assign(day_flows_.size(), Flow{});
  b.rejects.clear();
  b.trades = b.orders = 0;
  auto bucket = [&](const AccountChange& c) { b.changes[partition_of(c.account)].push_back(c); };
  for (std::size_t i = stocks * block / kSettleBlocks; i < stocks * (block + 1) / kSettleBlocks; ++i) {
    const auto id = static_cast<InstrumentId>(i);
    StockDayStats& d = stock_day_[i];
    for (const Trade& t : trades_[i]) {
      const AccountId buyer = t.taker_side == Side::Buy ? t.taker : t.maker;
      const AccountId seller = t.taker_side == Side::Buy ? t.maker : t.taker;
      const Fen value = static_cast<Fen>(t.price) * t.qty;
      // The buyer's reservation made at its limit is released; shares bought today are not
      // sellable (T+1); the seller's sellable part was taken when its order was accepted.
      bucket(AccountChange{buyer, id, -value, -static_cast<Fen>(t.buy_limit) * t.qty, t.qty, 0});
      bucket(AccountChange{seller, id, value, 0, -t.qty, 0});
      attribute_trade(t, id, b.flows);
      if (d.open == kNoPrice) d.open = t.price;
      d.high = d.high == kNoPrice ? t.price : std::max(d.high, t.price);
      d.low = d.low == kNoPrice ? t.price : std::min(d.low, t.price);
      d.last = t.price;
      d.volume += t.qty;
      d.turnover += value;
    }
    for (const Release& r : releases_[i]) bucket(release_change(r));
    b.rejects.insert(b.rejects.end(), book_rejects_[i].begin(), book_rejects_[i].end());
    b.trades += static_cast<std::int64_t>(trades_[i].size());
    b.orders += static_cast<std::int64_t>(routed(i).size());
  }
}

// Pass 3 for one partition of the accounts. The changes are exact integers, so their order does
// not matter: sorted by account and stock, each account's lines are fetched once for all of its
// changes and a fund's positions are searched in ascending order.
void Simulation::apply_partition(std::size_t p) {
  std::vector<AccountChange>& changes = partition_scratch_[p];
  changes.clear();
  for (const SettleBlock& b : settle_blocks_) changes.insert(changes.end(), b.changes[p].begin(), b.changes[p].end());
  std::sort(changes.begin(), changes.end(), [](const AccountChange& x, const AccountChange& y) {
    return x.account != y.account ? x.account < y.account : x.stock < y.stock;
  });
  // Each change lands on an account last touched long ago: fetch ahead (hints only).
  constexpr std::size_t kAccountAhead = 8, kPositionsAhead = 4;
  for (std::size_t k = 0; k < changes.size(); ++k) {
    if (k + kAccountAhead < changes.size()) accounts_.prefetch(changes[k + kAccountAhead].account);
    if (k + kPositionsAhead < changes.size() && changes[k + kPositionsAhead].stock >= 0)
      accounts_.prefetch_positions(changes[k + kPositionsAhead].account);
    accounts_.apply(changes[k]);
  }
}

}  // namespace stampede
