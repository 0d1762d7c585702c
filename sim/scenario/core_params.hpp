#pragma once
// The core keys held by the market's parameter structs, bound to them (sim/scenario/param_binder.hpp):
// the structs' initialisers are the keys' defaults, and Simulation loads the structs with these
// binders. Only the structs' headers are used: the scenario library does not link the market.
#include "sim/market/fundamentals.hpp"
#include "sim/market/futures.hpp"
#include "sim/market/universe.hpp"
#include "sim/scenario/param_binder.hpp"

namespace stampede {

ParamBinder<UniverseParams> universe_binder();   // [stocks] and the fundamentals.size_loading_* keys
ParamBinder<FactorParams> factor_binder();       // [fundamentals]: the factors' volatilities, drifts and alphas
ParamBinder<FuturesSpec> futures_binder();       // [futures]

}  // namespace stampede
