'use strict';
// Starting and stopping the demo's loopback HTTP servers (the issuer and the origin).

// Listens on host:port (0 = any free port); resolves with the port.
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address().port));
  });
}

// Closes a server and its keep-alive connections; resolves when it has stopped.
function close(server) {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

module.exports = { listen, close };
