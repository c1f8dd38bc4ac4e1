// @tributary/broker
export {};
