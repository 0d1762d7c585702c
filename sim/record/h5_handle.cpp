#include "sim/record/h5_handle.hpp"

namespace stampede::h5 {

std::mutex& library_mutex() {
  // HDF5 1.10 crashes in its exit-time cleanup when a file failed to close (a full disk): keep
  // it from registering that cleanup. Every file we open is closed explicitly anyway.
  static const bool no_atexit = [] { H5dont_atexit(); return true; }();
  (void)no_atexit;
  static std::mutex m;
  return m;
}

Session::Session() : lock_(library_mutex()) {
  H5Eget_auto2(H5E_DEFAULT, &old_func_, &old_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Session::~Session() { H5Eset_auto2(H5E_DEFAULT, old_func_, old_data_); }

namespace {
herr_t collect(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n > 0) out->append("; ");
  if (err->func_name) out->append(err->func_name).append(": ");
  if (err->desc) out->append(err->desc);
  return 0;
}
}  // namespace

std::string take_error_stack() {
  std::string out;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &out);
  H5Eclear2(H5E_DEFAULT);
  return out;
}

void fail(const std::string& what) {
  std::string stack = take_error_stack();
  throw Error(stack.empty() ? what : what + " (HDF5: " + stack + ")");
}

}  // namespace stampede::h5
