#pragma once
// Internal to stampede_record: a move-only owner of an HDF5 identifier, error checking that turns
// the HDF5 error stack into an exception message, and the process-wide lock every HDF5 call of
// this library is made under (the Debian HDF5 build is not thread-safe).
#include <hdf5.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace stampede::h5 {

// Thrown for any failed HDF5 call; the message names the operation and carries the HDF5 stack.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Every HDF5 call made by stampede_record happens with this mutex held.
std::mutex& library_mutex();

// Holds library_mutex() and silences HDF5's automatic error printing for its lifetime: failures
// are reported through h5::Error instead, with the stack in the message.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  std::lock_guard<std::mutex> lock_;
  H5E_auto2_t old_func_ = nullptr;
  void* old_data_ = nullptr;
};

// The current HDF5 error stack as one line ("func: message; ..."), then clears it.
std::string take_error_stack();

[[noreturn]] void fail(const std::string& what);

inline hid_t check_id(hid_t id, const std::string& what) {
  if (id < 0) fail(what);
  return id;
}

inline herr_t check(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
  return status;
}

// Owns one hid_t and closes it with the matching H5?close function.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      closer_ = o.closer_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0 && closer_) closer_(id_);
    id_ = H5I_INVALID_HID;
  }
  // Closes now and reports failure (reset() ignores it: it runs in destructors).
  void close(const std::string& what) {
    if (id_ < 0) return;
    hid_t id = id_;
    id_ = H5I_INVALID_HID;
    check(closer_(id), what);
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

inline Handle file(hid_t id, const std::string& what) { return {check_id(id, what), H5Fclose}; }
inline Handle group(hid_t id, const std::string& what) { return {check_id(id, what), H5Gclose}; }
inline Handle dataset(hid_t id, const std::string& what) { return {check_id(id, what), H5Dclose}; }
inline Handle space(hid_t id, const std::string& what) { return {check_id(id, what), H5Sclose}; }
inline Handle type(hid_t id, const std::string& what) { return {check_id(id, what), H5Tclose}; }
inline Handle plist(hid_t id, const std::string& what) { return {check_id(id, what), H5Pclose}; }
inline Handle attribute(hid_t id, const std::string& what) { return {check_id(id, what), H5Aclose}; }

}  // namespace stampede::h5
