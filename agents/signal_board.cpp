#include "agents/signal_board.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "sim/core/rng.hpp"

namespace stampede {

namespace {
double yuan(Tick t) { return static_cast<double>(t) / 100.0; }
}  // namespace

SignalBoard::SignalBoard(const Universe& u, int reversal_days) : universe_(&u), reversal_days_(reversal_days) {
  for (int i = 0; i < u.size(); ++i)
    if (u.segment[static_cast<std::size_t>(i)] != Segment::LargeCap) candidates_.push_back(i);
  const std::size_t n = candidates_.size();
  const std::size_t depth = static_cast<std::size_t>(reversal_days_) + 1;
  closes_.assign(n * depth, 0);
  size_z_.resize(n);
  reversal_z_.assign(n, 0.0f);
  alpha_z_.assign(n, 0.0f);
  for (std::size_t c = 0; c < n; ++c) {
    const int s = candidates_[c];
    closes_[c * depth] = u.first_price[static_cast<std::size_t>(s)];
    size_z_[c] = static_cast<float>(-std::log(std::max(1.0, u.first_market_cap_yuan(s))));
  }
  history_len_ = 1;
  head_ = 0;
  standardise(size_z_);
}

void SignalBoard::standardise(std::vector<float>& x) const {
  if (x.empty()) return;
  double sum = 0, sq = 0;
  for (float v : x) sum += v;
  const double mean = sum / static_cast<double>(x.size());
  for (float v : x) sq += (v - mean) * (v - mean);
  const double sd = std::sqrt(sq / static_cast<double>(x.size()));
  for (float& v : x) v = sd > 1e-12 ? static_cast<float>((v - mean) / sd) : 0.0f;
}

void SignalBoard::refresh(const MarketView& v) {
  if (v.day == day_) return;
  day_ = v.day;
  const std::size_t n = candidates_.size();
  const int depth = reversal_days_ + 1;
  head_ = (head_ + 1) % depth;
  history_len_ = std::min(depth, history_len_ + 1);
  const int oldest = (head_ - (history_len_ - 1) + depth) % depth;
  for (std::size_t c = 0; c < n; ++c) {
    const InstrumentId s = candidates_[c];
    const Tick close = v.quote(s).last;
    Tick* ring = &closes_[c * static_cast<std::size_t>(depth)];
    ring[head_] = close;
    const double cap = static_cast<double>(universe_->shares_outstanding[static_cast<std::size_t>(s)]) * yuan(close);
    size_z_[c] = static_cast<float>(-std::log(std::max(1.0, cap)));
    const Tick then = ring[oldest];
    reversal_z_[c] = then > 0 && close > 0 ? static_cast<float>(-std::log(static_cast<double>(close) / then)) : 0.0f;
    if (v.expected_return_annual != nullptr)
      alpha_z_[c] = static_cast<float>((*v.expected_return_annual)[static_cast<std::size_t>(s)]);
  }
  standardise(size_z_);
  standardise(reversal_z_);
  standardise(alpha_z_);
  alpha_known_ = std::any_of(alpha_z_.begin(), alpha_z_.end(), [](float z) { return z != 0.0f; });
}

std::vector<FamilySignal> family_signals(const SignalBoard& board, std::uint64_t seed, int families) {
  std::vector<FamilySignal> out;
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  for (int f = 0; f < families; ++f) {
    Rng rng = make_stream(seed, "signal_family", static_cast<std::uint64_t>(f));
    auto scores = std::make_shared<std::vector<float>>(board.candidates().size());
    for (float& x : *scores) x = static_cast<float>(normal(rng));
    out.push_back(std::move(scores));
  }
  return out;
}

}  // namespace stampede
