import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { createClientToolServer } from './client-tool-server.js';

const weather = {
  name: 'get_weather',
  description: 'Weather for a city',
  inputSchema: {
    type: 'object',
    properties: { city: { type: 'string', enum: ['Paris', 'Rome'] }, days: { type: 'integer', minimum: 1 } },
    required: ['city'],
    additionalProperties: false,
  },
};

async function connect() {
  const config = createClientToolServer([weather]);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await config.instance.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  return { config, client };
}

describe('createClientToolServer', () => {
  it('is the in-process server named client', () => {
    const config = createClientToolServer([weather]);
    expect(config).toMatchObject({ type: 'sdk', name: 'client' });
  });

  it('lists the tools with their JSON schemas exactly as the client sent them', async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(tools).toEqual([weather]);
    await client.close();
  });

  it('never answers a call: it stays pending until the run is torn down, then fails without a result', async () => {
    const { client } = await connect();
    let settled = false;
    const call = client.callTool({ name: 'get_weather', arguments: { city: 'Paris' } }).finally(() => {
      settled = true;
    });
    // The server answers later requests while the call stays unanswered.
    await client.listTools();
    await client.listTools();
    expect(settled).toBe(false);
    const outcome = call.then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    await client.close();
    expect(await outcome).toHaveProperty('error');
  });
});
