// @tributary/client
export {};
