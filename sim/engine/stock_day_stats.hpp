#pragma once
// One stock's figures for the current trading day, kept by the simulation ([stock]).
#include "sim/core/types.hpp"

namespace stampede {

struct StockDayStats {
  Tick prev_close = 0, open = kNoPrice, high = kNoPrice, low = kNoPrice, last = kNoPrice, close = kNoPrice;
  Qty volume = 0;
  Fen turnover = 0;
};

}   // namespace stampede
