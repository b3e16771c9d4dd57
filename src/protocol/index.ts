// Public entry of the protocol package: frames, messages, codec and secure channel. Pure, no I/O.
export {};
