#include "conformance/report/reference_in_process.h"

#include "conformance/drivers/reference/reference_driver.h"
#include "conformance/runner/in_process_driver.h"

namespace sockref::conformance::runner {

std::unique_ptr<DriverConnection> NewInProcessReferenceDriver() {
  return std::make_unique<InProcessDriver>([]() -> JsonHandler {
    // Shared, so an abandoned (hung) worker thread keeps its driver alive.
    auto driver = std::make_shared<ReferenceDriver>();
    return [driver](const nlohmann::json& request) { return driver->Handle(request); };
  });
}

InProcessFactories ReferenceFactories() { return {{"reference", &NewInProcessReferenceDriver}}; }

}  // namespace sockref::conformance::runner
