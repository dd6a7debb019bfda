'use strict'
// Load driver for `python -m bench`: valid adds, each with a number never sent before.
//
//   node bench/load.js '<json options>'
//
// Options: url, connections, duration (s) or amount (requests), warmup (s, 0: none),
// first (the first subscriber number of this run; the caller gives every run its own block),
// progressEvery (requests between progress lines, 0: none), kind ("add", the default; "get":
// GET /numbers/virtual-number/{id} for ids 1..ids in turn; "list": GET
// /numbers/virtual-number?type=def). The token comes from the
// environment (BENCH_TOKEN), not the command line, which any user can read with ps.
// Output: JSON lines on stdout; {"event": "progress", ...} while it runs, then one
// {"event": "result", ...}. Anything else (autocannon's own errors) goes to stderr.

const path = require('path')
const autocannon = require(path.join(__dirname, '..', 'tools', 'node_modules', 'autocannon'))

const options = JSON.parse(process.argv[2])
const SUBSCRIBER_SPACE = 1e9 // "79" + 9 digits, as ^79[0-9]{9}$ requires

let next = options.first
function freshNumber () {
  const value = next % SUBSCRIBER_SPACE
  next += 1
  return '79' + String(value).padStart(9, '0')
}

function addRequest () {
  return {
    method: 'POST',
    path: '/numbers/unconfirmed',
    headers: { authorization: process.env.BENCH_TOKEN || '', 'content-type': 'application/json' },
    // Called before every request (not once per connection), so every body is new.
    setupRequest: (request) => {
      request.body = JSON.stringify({
        number: freshNumber(), dgn_number: '74958042300', purpose: 'company', type: 'def'
      })
      return request
    }
  }
}

function readRequest (kind) {
  let nextId = 0
  return {
    method: 'GET',
    path: kind === 'list' ? '/numbers/virtual-number?type=def' : '/numbers/virtual-number/1',
    headers: { authorization: process.env.BENCH_TOKEN || '' },
    setupRequest: (request) => {
      if (kind === 'get') {
        request.path = '/numbers/virtual-number/' + String((nextId % options.ids) + 1)
        nextId += 1
      }
      return request
    }
  }
}

function emit (record) {
  process.stdout.write(JSON.stringify(record) + '\n')
}

// Nearest-rank percentile of sorted values. autocannon's own histogram keeps whole
// milliseconds only, too coarse for a sub-millisecond server at concurrency 1.
function percentile (sorted, p) {
  if (sorted.length === 0) return null
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]
}

function statusCounts (result) {
  const counts = {}
  for (const [status, stats] of Object.entries(result.statusCodeStats || {})) {
    counts[status] = stats.count
  }
  return counts
}

const base = {
  url: options.url,
  connections: options.connections,
  pipelining: 1,
  timeout: 10,
  requests: [(options.kind || 'add') === 'add' ? addRequest() : readRequest(options.kind)]
}
if (options.amount) base.amount = options.amount
else base.duration = options.duration
if (options.warmup > 0) {
  base.warmup = { connections: options.connections, duration: options.warmup }
}

const latencies = [] // ms, successful responses of the measured run only
let completed = 0
const instance = autocannon(base)
// The tracker returned with a warm-up is the measured run's: warm-up responses never reach it.
instance.on('response', (client, statusCode, bytes, responseTime) => {
  completed += 1
  if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
  if (options.progressEvery && completed % options.progressEvery === 0) {
    emit({ event: 'progress', completed })
  }
})

instance.then((result) => {
  latencies.sort((a, b) => a - b)
  const statuses = statusCounts(result)
  const responses = Object.values(statuses).reduce((sum, n) => sum + n, 0)
  const warmup = result.warmup ? statusCounts(result.warmup) : {}
  emit({
    event: 'result',
    connections: options.connections,
    duration_s: result.duration,
    responses,
    requests_per_s: result.duration > 0 ? responses / result.duration : 0,
    latency_ms: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.length ? latencies[latencies.length - 1] : null
    },
    statuses,
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    warmup_statuses: warmup,
    numbers_used: next - options.first
  })
}).catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + '\n')
  process.exit(1)
})
