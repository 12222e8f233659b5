// The environment variable that carries a `cairn server --workers N` worker's configuration: apart
// from server-cluster.ts so `cairn` can check for it without loading the server.
export const WORKER_CONFIG_ENV = 'CAIRN_SERVER_WORKER_CONFIG';
