// Runs the vendor's unchanged Lambda-API sample (app.js) once against two local CloudBasic simulators.
// Not part of the vendor's sample: it only points the sample's placeholder host names at the simulators
// (a custom DNS lookup) and sets the HTTP port, then invokes the Lambda handler as Lambda would.
// Usage: node run.js PORT [xml]
'use strict';

var CONFIG = require('./config.json');

// Self-contained: the sample's deepcopy re-creates functions from their source text (no closures).
function lookup(hostname, options, callback) {
    var hosts = { 'your.server1.IP.address': '127.0.0.1', 'your.server2.IP.address': '127.0.0.2' };
    var address = hosts[hostname];
    if (!address) {
        return callback(new Error('unexpected host ' + hostname));
    }
    if (options && options.all) {
        return callback(null, [{ address: address, family: 4 }]);
    }
    return callback(null, address, 4);
}

CONFIG.addOptions.httpPort = process.argv[2];
CONFIG.options.lookup = lookup;

require('./app.js').handler({ xml: process.argv[3] === 'xml', https: false }, {}, function () {});
