// session.h: one conformance case's state in the reference driver: its variables and the
// socket objects it created.
//
//   Session session;
//   session.Assign("s", session.NewSocket(sockref::Socket(AF_INET, SOCK_STREAM)));
//   std::optional<Ref> s = session.Lookup("s");
//   for (auto& socket : session.LiveSockets()) socket->socket.close();  // at the case's end
//
// Steps of one case may run concurrently (a background action beside a blocking step), so
// every member is safe to call from several threads.
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_SESSION_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_SESSION_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/drivers/reference/runtime/interrupts.h"
#include "conformance/drivers/reference/runtime/object.h"
#include "impl/socket.h"

namespace sockref::conformance::reference {

class Session {
 public:
  // Lookup returns the case variable `name`, or nullopt when it is unbound.
  std::optional<Ref> Lookup(std::string_view name) const;

  // Assign binds the case variable `name` to `value`.
  void Assign(const std::string& name, Ref value);

  // NewSocket returns a socket object owning `socket`, and remembers it so that the case's
  // end can close it. As in CPython, the socket is also closed as soon as nothing refers to
  // it any more: the session keeps only a weak reference.
  Ref NewSocket(sockref::Socket socket);

  // LiveSockets returns the socket objects of this case that still exist.
  std::vector<std::shared_ptr<SocketObject>> LiveSockets() const;

  // Clear forgets every variable (releasing the objects only they held).
  void Clear();

  // TmpDir returns the case's own directory (the builtin `tmpdir`), created on first use as
  // /tmp/sockref-XXXXXX. Raises OSError when it cannot be created.
  std::string TmpDir();

  // RemoveTmpDir removes the case's directory and everything in it, if it was created.
  void RemoveTmpDir();

  // interrupts returns the case's signal state (the builtins `interrupt` and `interrupts`).
  Interrupts& interrupts() { return interrupts_; }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Ref, std::less<>> variables_;
  std::vector<std::weak_ptr<SocketObject>> sockets_;
  std::string tmpdir_;  // empty until TmpDir() creates it
  Interrupts interrupts_;
};

}  // namespace sockref::conformance::reference

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_SESSION_H_
