import { runServer } from './server.js';

void runServer(process.env);
