#include "conformance/drivers/reference/runtime/session.h"

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "impl/error.h"

namespace sockref::conformance::reference {

std::optional<Ref> Session::Lookup(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = variables_.find(name);
  if (it == variables_.end()) return std::nullopt;
  return it->second;
}

void Session::Assign(const std::string& name, Ref value) {
  Ref old;  // released outside the lock: dropping a socket closes it
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = variables_[name];
  old = std::move(slot);
  slot = std::move(value);
}

Ref Session::NewSocket(sockref::Socket socket) {
  auto object = std::make_shared<SocketObject>(std::move(socket));
  std::lock_guard<std::mutex> lock(mu_);
  // Forget the sockets already gone, so a long case does not grow the list without bound.
  std::erase_if(sockets_, [](const std::weak_ptr<SocketObject>& w) { return w.expired(); });
  sockets_.push_back(object);
  return object;
}

std::vector<std::shared_ptr<SocketObject>> Session::LiveSockets() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<SocketObject>> out;
  for (const auto& w : sockets_) {
    if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

void Session::Clear() {
  std::map<std::string, Ref, std::less<>> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old.swap(variables_);
  }
}

std::string Session::TmpDir() {
  std::lock_guard<std::mutex> lock(mu_);
  if (tmpdir_.empty()) {
    char pattern[] = "/tmp/sockref-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) sockref::ThrowLastOSError();
    tmpdir_ = pattern;
  }
  return tmpdir_;
}

void Session::RemoveTmpDir() {
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dir.swap(tmpdir_);
  }
  if (dir.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace sockref::conformance::reference
