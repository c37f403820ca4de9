/** Reads a whole SSE response into its named frames (tests only; the stream must end by itself). */
export interface NamedFrame {
  id?: string;
  event: string;
  data: any;
}

export async function readFrames(response: Response): Promise<NamedFrame[]> {
  const text = await response.text();
  const frames: NamedFrame[] = [];
  for (const block of text.split('\n\n')) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length === 0) continue;
    const joined = data.join('\n');
    let parsed: unknown = joined;
    try {
      parsed = JSON.parse(joined);
    } catch {}
    frames.push({ event, data: parsed, ...(id !== undefined ? { id } : {}) });
  }
  return frames;
}
