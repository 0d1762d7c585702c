#include <catch2/catch.hpp>
#include "sim/scenario/scenario.hpp"
TEST_CASE("smoke") { auto s = stampede::Scenario::parse("", "x", stampede::core_param_specs()); CHECK(s.get_int("days") == 5); }
