#include "sim/engine/checkpoint.hpp"

#include <cstring>
#include <fstream>
#include <iterator>

#include "sim/record/output_lock.hpp"

namespace stampede {

namespace {

constexpr char kMagic[] = "STAMPEDE-CHECKPOINT\n";
constexpr std::size_t kMagicBytes = sizeof kMagic - 1;
constexpr std::uint64_t kMaxCheckpointBytes = std::uint64_t{64} << 30;

// 64-bit checksum of the payload, eight bytes at a time (FNV-1a style, with a final avalanche).
std::uint64_t checksum(const char* p, std::size_t n) {
  std::uint64_t h = 0xCBF29CE484222325ULL ^ n;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001B3ULL;
    h ^= h >> 32;
  }
  for (; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001B3ULL;
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  return h ^ (h >> 33);
}

std::string short_hash(const std::string& h) { return h.size() > 12 ? h.substr(0, 12) + "..." : h; }

}  // namespace

std::filesystem::path checkpoint_path(const std::filesystem::path& log) { return beside_log(log, ".ckpt"); }

std::vector<char> encode_checkpoint(const CheckpointHeader& h, std::vector<char> payload) {
  std::vector<char> head(kMagic, kMagic + kMagicBytes);
  StateIo io(head);
  CheckpointHeader c = h;
  std::uint32_t version = kCheckpointVersion;
  std::uint64_t bytes = payload.size(), sum = checksum(payload.data(), payload.size());
  io(version, c.code_hash, c.scenario_hash, c.seed, c.days, c.steps, c.fingerprint, bytes, sum);
  payload.insert(payload.begin(), head.begin(), head.end());
  return payload;
}

Checkpoint read_checkpoint(const std::filesystem::path& path, const CheckpointHeader& expected) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw CheckpointError("cannot read it (" + ec.message() + ")");
  if (size > kMaxCheckpointBytes) throw CheckpointError("it is too large to be a checkpoint");
  std::vector<char> all(static_cast<std::size_t>(size));
  {
    std::ifstream in(path, std::ios::binary);
    if (!in.read(all.data(), static_cast<std::streamsize>(all.size()))) throw CheckpointError("cannot read it");
  }
  if (all.size() < kMagicBytes || std::memcmp(all.data(), kMagic, kMagicBytes) != 0)
    throw CheckpointError("it is not a stampede checkpoint");
  StateIo io(all.data() + kMagicBytes, all.size() - kMagicBytes);
  Checkpoint c;
  CheckpointHeader& h = c.header;
  std::uint32_t version = 0;
  std::uint64_t bytes = 0, sum = 0;
  try {
    io(version);
    if (version != kCheckpointVersion)
      throw CheckpointError("its format version " + std::to_string(version) + " is not this build's " +
                            std::to_string(kCheckpointVersion));
    io(h.code_hash, h.scenario_hash, h.seed, h.days, h.steps, h.fingerprint, bytes, sum);
  } catch (const CheckpointError& e) {
    throw CheckpointError(std::string("its header is damaged (") + e.what() + ")");
  }
  if (h.code_hash != expected.code_hash)
    throw CheckpointError("it was written by another build (code_hash " + short_hash(h.code_hash) + ", this build's " +
                          short_hash(expected.code_hash) + ")");
  if (h.scenario_hash != expected.scenario_hash)
    throw CheckpointError("it is for another scenario (scenario_hash " + short_hash(h.scenario_hash) + ", this run's " +
                          short_hash(expected.scenario_hash) + ")");
  if (h.seed != expected.seed)
    throw CheckpointError("it is for seed " + std::to_string(h.seed) + ", this run's is " + std::to_string(expected.seed));
  if (bytes != io.remaining())
    throw CheckpointError("it is truncated or damaged (" + std::to_string(io.remaining()) + " payload bytes, the header says " +
                          std::to_string(bytes) + ")");
  const char* payload = all.data() + (all.size() - io.remaining());
  if (checksum(payload, io.remaining()) != sum) throw CheckpointError("it is damaged (its checksum does not match)");
  c.payload.assign(payload, payload + io.remaining());
  return c;
}

}  // namespace stampede
