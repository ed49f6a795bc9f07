/** The initiator the simulator's M-Pesa knows for every shortcode (named as Safaricom's sandbox test initiator). */
export const SIMULATOR_INITIATOR = { name: 'testapi', password: 'Safaricom999!*!' } as const;
