/** Raised for malformed LoRR 2023 input (problem JSON, map, agents or tasks files). */
export class LorrFormatError extends Error {
  override readonly name = 'LorrFormatError';
  constructor(
    /** Which input was bad, e.g. "map", "agents file line 3". */
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
  }
}
