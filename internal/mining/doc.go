// Package mining assembles block templates (coinbase with height, extranonce
// room and witness commitment; transactions chosen by the mempool) and solves
// them on the CPU. The Stratum pool and the fast hashing kernels build on it.
package mining
